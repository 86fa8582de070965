#include "cli.h"
CLI_HANDLER(cmd_init) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_channel_add) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_channel_list) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_channel_audience) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_follower_list) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_follower_show) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
CLI_HANDLER(cmd_follower_forget) { (void)c; (void)argc; (void)argv; return EXIT_FAILED; }
