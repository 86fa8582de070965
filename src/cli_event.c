/* placeholder, replaced by the event handlers */
#include "cli.h"
CLI_HANDLER(cmd_event_create) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_event_list) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_event_show) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_event_update) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_event_cancel) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_ics) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
