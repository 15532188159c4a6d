// tools/dlc-run's main, renamed for the fork server (ForkServer.cpp).
#define main dlc_tool_main
#include "../../tools/dlc-run/dlc-run.cpp"
