# Run at every build (cmake -P): writes OUT, a header defining AKUNU_GIT_COMMIT, from the checkout at
# SRC, so that the tools report the commit they were built from, not the one CMake was configured
# at. "-dirty" marks uncommitted changes to tracked files. Without git (a copy of the tree on the
# GPU machine) the environment's AKUNU_GIT_COMMIT is used. The file is rewritten only when the text
# changes, so an unchanged commit recompiles nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SRC}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(commit)
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY "${SRC}"
                  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(dirty)
    set(commit "${commit}-dirty")
  endif()
elseif(DEFINED ENV{AKUNU_GIT_COMMIT})
  set(commit "$ENV{AKUNU_GIT_COMMIT}")
else()
  set(commit "unknown")
endif()
set(text "#define AKUNU_GIT_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
