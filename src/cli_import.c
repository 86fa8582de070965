/* placeholder, replaced by the follower import handler */
#include "cli.h"
CLI_HANDLER(cmd_follower_import) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
