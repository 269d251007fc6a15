// Commands the CPU backend now splits across its pool or shares state between (KvStore by tokens,
// RoPE through the per-run cos/sin table), run through the Backend interface at a prefill size
// (77 tokens: several pool ranges, not a multiple of any grain) on 3 threads, against the
// reference kernels called directly. Both must match bit for bit: only the work split changed.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"
#include "plan/dispatch_table.h"

using namespace akunu;

namespace {

std::vector<float> gauss(size_t n, uint32_t seed) {
    std::mt19937 g(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& f : v) f = nd(g);
    return v;
}

BufRef ref(BufferId b) {
    BufRef r;
    r.buf = b;
    return r;
}

std::vector<float> read_all(Backend& be, BufferId b, size_t n) {
    std::vector<float> out(n);
    be.read(b, 0, out.data(), n * sizeof(float));
    return out;
}

std::unique_ptr<Backend> cpu_backend(int threads) {
    BackendOptions o;
    o.n_threads = threads;
    return create_backend(BackendKind::Cpu, o);
}

constexpr int32_t kTokens = 77;

}  // namespace

TEST(CpuBackendSplit, KvStoreByTokens) {
    const int32_t kvh = 3, hd = 40, max_ctx = 200, pos = 11;
    const size_t row = (size_t)kvh * hd, cache = (size_t)kvh * max_ctx * hd;
    const std::vector<float> k = gauss(kTokens * row, 1), v = gauss(kTokens * row, 2);
    std::vector<float> kc = gauss(cache, 3), vc = gauss(cache, 4);
    auto be = cpu_backend(3);
    const BufferId bk = be->create_buffer(k.size() * 4, "k"), bv = be->create_buffer(v.size() * 4, "v");
    const BufferId bkc = be->create_buffer(cache * 4, "kc"), bvc = be->create_buffer(cache * 4, "vc");
    be->write(bk, 0, k.data(), k.size() * 4);
    be->write(bv, 0, v.data(), v.size() * 4);
    be->write(bkc, 0, kc.data(), cache * 4);
    be->write(bvc, 0, vc.data(), cache * 4);
    DispatchTable t;
    t.max_tokens = kTokens;
    Command c;
    c.op = Op::KvStore;
    c.in[0] = ref(bk);
    c.in[1] = ref(bv);
    c.out[0] = ref(bkc);
    c.out[1] = ref(bvc);
    c.p[0] = kvh;
    c.p[1] = hd;
    c.p[2] = max_ctx;
    t.add(c, {"KV store", 0, 0, 0, 0});
    be->prepare(t);
    RunState s;
    s.pos = pos;
    s.n_tokens = kTokens;
    be->run(t, s);
    cpu_kv_store(k.data(), v.data(), kc.data(), vc.data(), kTokens, pos, kvh, hd, max_ctx);
    EXPECT_EQ(0, std::memcmp(read_all(*be, bkc, cache).data(), kc.data(), cache * 4));
    EXPECT_EQ(0, std::memcmp(read_all(*be, bvc, cache).data(), vc.data(), cache * 4));
}

TEST(CpuBackendSplit, RopeThroughSharedTable) {
    const int32_t heads = 5, hd = 64, pos = 300;
    auto be = cpu_backend(3);
    DispatchTable t;
    t.max_tokens = kTokens;
    std::vector<BufferId> bufs;
    std::vector<std::vector<float>> want;
    // Q and K rotations at two rope dims and both styles: four commands, one table per rope dim.
    const int32_t dims[] = {64, 64, 32, 32}, styles[] = {0, 2, 0, 2};
    for (int i = 0; i < 4; ++i) {
        std::vector<float> x = gauss((size_t)kTokens * heads * hd, 10 + i);
        const BufferId b = be->create_buffer(x.size() * 4, "x");
        be->write(b, 0, x.data(), x.size() * 4);
        std::vector<float> cs((size_t)dims[i]);
        cpu_rope(x.data(), kTokens, pos, heads, hd, dims[i], styles[i], 10000.0f, cs.data());
        want.push_back(x);
        bufs.push_back(b);
        Command c;
        c.op = Op::Rope;
        c.out[0] = ref(b);
        c.p[0] = heads;
        c.p[1] = hd;
        c.p[2] = dims[i];
        c.p[3] = styles[i];
        c.f0 = 10000.0f;
        t.add(c, {"RoPE", 0, 0, 0, 0});
    }
    be->prepare(t);
    RunState s;
    s.pos = pos;
    s.n_tokens = kTokens;
    be->run(t, s);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(0, std::memcmp(read_all(*be, bufs[i], want[i].size()).data(), want[i].data(), want[i].size() * 4))
            << "command " << i;
    }
}

// A table whose KvStore or Attention names a cache type the CPU does not hold (f32 and f16 only) is
// refused at prepare(), by name, instead of reading its buffers as f32: the engine refuses such a
// load first, this guards a table built by hand.
TEST(CpuBackendSplit, RefusesAKvCacheTypeItDoesNotHold) {
    auto be = cpu_backend(2);
    const BufferId b = be->create_buffer(4096, "buf");
    for (Op op : {Op::KvStore, Op::Attention}) {
        DispatchTable t;
        Command c;
        c.op = op;
        c.wtype = DType::Q8_0;
        c.in[0] = c.in[1] = c.in[2] = ref(b);
        c.out[0] = c.out[1] = ref(b);
        c.p[0] = c.p[1] = c.p[2] = c.p[3] = 1;
        t.add(c, {"L0 KV", 0, 0, 0, 0});
        try {
            be->prepare(t);
            ADD_FAILURE() << "a Q8_0 cache was accepted by " << op_name(op);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
            EXPECT_NE(std::string(e.what()).find("Q8_0"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("kv_type"), std::string::npos) << e.what();
        }
    }
}
