// tools/dlc's main, renamed for the fork server (ForkServer.cpp).
#define main dlc_tool_main
#include "../../tools/dlc/dlc.cpp"
