// What an akunu_model handle is: one engine (model + session).
#pragma once

#include <memory>

#include "runtime/engine.h"

struct akunu_model {
    std::unique_ptr<akunu::Engine> engine;
};
