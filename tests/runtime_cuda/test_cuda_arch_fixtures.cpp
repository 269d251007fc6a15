// Every architecture's Hugging Face fixture (runtime/arch_fixture_util.h) on the GPU: the CUDA
// backend on the exact path must reproduce transformers' f64 logits (1e-4 relative L2, as the CPU
// does) and greedy tokens, by prefill (whole and in chunks of 5, starting inside sliding windows),
// decode steps and the chained (graph-captured) decode. Skips without a GPU.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "backend/cuda/cuda_backend.h"
#include "runtime/arch_fixture_util.h"
#include "runtime/engine.h"

namespace akunu {
namespace {

using namespace archtest;

class CudaArchFixture : public testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        std::string why;
        if (!cuda_device_available(&why)) GTEST_SKIP() << "no CUDA device: " << why;
    }

    std::unique_ptr<Engine> load(uint32_t chunk) const {
        EngineOptions o;
        o.backend = BackendKind::Cuda;
        o.exact_activations = true;
        o.prefill_chunk = chunk;
        const std::string arch = GetParam();
        return Engine::load(open_gguf(arch, arch_patch(arch)), o);
    }
};

TEST_P(CudaArchFixture, MatchesTransformers) {
    const std::string arch = GetParam();
    const Reference r = load_reference(arch);
    for (uint32_t chunk : {0u, 5u}) {
        std::unique_ptr<Engine> e = load(chunk);
        const PathRun run = run_reference_path(*e, r);
        for (size_t i = 0; i < run.logits.size(); ++i) {
            EXPECT_LE(rel_l2(run.logits[i], r.logits[i]), kLogitTol)
                << arch << " chunk " << chunk << ": logits after greedy[:" << i << "]";
        }
        EXPECT_EQ(run.picks, r.greedy) << arch << " chunk " << chunk;
        std::cout << "[cuda-arch] " << arch << " chunk " << chunk << ": worst rel L2 " << worst_error(run, r)
                  << std::endl;
    }
}

TEST_P(CudaArchFixture, ChainDecodeMatchesGreedy) {
    const std::string arch = GetParam();
    const Reference r = load_reference(arch);
    std::unique_ptr<Engine> e = load(0);
    const int32_t first = e->prefill(r.prompt.data(), (int32_t)r.prompt.size());
    std::vector<int32_t> got = {first}, rest(r.greedy.size() - 1, -1);
    e->chain_decode(first, (int32_t)rest.size(), rest.data());
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, r.greedy) << arch;
}

INSTANTIATE_TEST_SUITE_P(Hf, CudaArchFixture, testing::ValuesIn(hf_fixtures::archs()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace akunu
