#include "akunu/akunu.h"
#include "akunu_commit.h"  // generated at build time (cmake/write_commit.cmake)

extern "C" const char* akunu_build_commit(void) { return AKUNU_GIT_COMMIT; }
