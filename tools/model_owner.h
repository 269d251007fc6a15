// Frees a model handle on every way out of a tool's run (errors are thrown as akunu::Error).
#pragma once

#include <memory>

#include "akunu/akunu.h"

struct ModelFree {
    void operator()(akunu_model* m) const { akunu_free_model(m); }
};
using ModelOwner = std::unique_ptr<akunu_model, ModelFree>;
