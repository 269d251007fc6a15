#include "akunu/akunu.h"

#ifndef AKUNU_GIT_COMMIT
#define AKUNU_GIT_COMMIT "unknown"
#endif

extern "C" const char* akunu_build_commit(void) { return AKUNU_GIT_COMMIT; }
