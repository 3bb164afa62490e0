// Tests of the eviction policies: scripted sequences with known victims, and random traces
// replayed against tiny reference models written as plainly as possible.
#include "storage/eviction_policy.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

using namespace strata::storage;

namespace {

// The reference models: vectors scanned linearly, no cleverness.
class reference_model {
public:
    explicit reference_model(eviction_kind kind) : kind_(kind) {}

    void insert(object_id id, std::uint64_t size) {
        ++tick_;
        switch (kind_) {
        case eviction_kind::s3fifo: {
            const auto g = std::find(ghost_.begin(), ghost_.end(), id);
            if (g != ghost_.end()) {
                ghost_.erase(g);
                main_.push_back({id, size, 0, 0, 0});
            } else {
                small_.push_back({id, size, 0, 0, 0});
            }
            return;
        }
        case eviction_kind::gdsf: {
            const auto s = std::max<std::uint64_t>(size, 1);
            objects_.push_back({id, s, 1, inflation_ + 1.0 / static_cast<double>(s), tick_});
            return;
        }
        default: objects_.push_back({id, size, 1, 0, tick_});  // the back is the newest
        }
    }

    void access(object_id id) {
        ++tick_;
        if (kind_ == eviction_kind::s3fifo) {
            for (auto* q : {&small_, &main_})
                for (auto& o : *q)
                    if (o.id == id) o.frequency = std::min<std::uint64_t>(o.frequency + 1, 3);
            return;
        }
        const auto it = std::find_if(objects_.begin(), objects_.end(), [&](const object& o) { return o.id == id; });
        if (it == objects_.end()) return;
        switch (kind_) {
        case eviction_kind::lru: {
            auto o = *it;
            objects_.erase(it);
            objects_.push_back(o);
            return;
        }
        case eviction_kind::lfu: ++it->frequency; it->tick = tick_; return;
        case eviction_kind::gdsf:
            ++it->frequency;
            it->priority = inflation_ + static_cast<double>(it->frequency) / static_cast<double>(it->size);
            it->tick = tick_;
            return;
        case eviction_kind::sieve: it->visited = true; return;
        default: return;
        }
    }

    std::optional<object_id> evict() {
        switch (kind_) {
        case eviction_kind::lru:
        case eviction_kind::fifo: return take(0);
        case eviction_kind::lfu: return take(min_index([](const object& a, const object& b) {
            return a.frequency != b.frequency ? a.frequency < b.frequency : a.tick < b.tick;
        }));
        case eviction_kind::gdsf: {
            const auto i = min_index([](const object& a, const object& b) {
                return a.priority != b.priority ? a.priority < b.priority : a.tick < b.tick;
            });
            if (i < objects_.size()) inflation_ = objects_[i].priority;
            return take(i);
        }
        case eviction_kind::sieve: return evict_sieve();
        case eviction_kind::s3fifo: return evict_s3fifo();
        }
        return std::nullopt;
    }

    void erase(object_id id) {
        for (auto* q : {&objects_, &small_, &main_})
            for (std::size_t i = 0; i < q->size(); ++i)
                if ((*q)[i].id == id) {
                    if (q == &objects_ && hand_ && i < *hand_) --*hand_;
                    else if (q == &objects_ && hand_ && i == *hand_ && i + 1 == q->size()) hand_.reset();
                    q->erase(q->begin() + static_cast<std::ptrdiff_t>(i));
                    return;
                }
    }

private:
    struct object {
        object_id id;
        std::uint64_t size, frequency;
        double priority;
        std::uint64_t tick;
        bool visited = false;
    };

    template <typename Less>
    std::size_t min_index(Less less) const {
        std::size_t best = objects_.size();
        for (std::size_t i = 0; i < objects_.size(); ++i)
            if (best == objects_.size() || less(objects_[i], objects_[best])) best = i;
        return best;
    }
    std::optional<object_id> take(std::size_t i) {
        if (i >= objects_.size()) return std::nullopt;
        const auto id = objects_[i].id;
        objects_.erase(objects_.begin() + static_cast<std::ptrdiff_t>(i));
        return id;
    }
    // The hand starts at the oldest (index 0) and walks toward the newest, wrapping around.
    std::optional<object_id> evict_sieve() {
        if (objects_.empty()) return std::nullopt;
        auto i = hand_.value_or(0);
        while (objects_[i].visited) {
            objects_[i].visited = false;
            i = (i + 1) % objects_.size();
        }
        const auto id = objects_[i].id;
        objects_.erase(objects_.begin() + static_cast<std::ptrdiff_t>(i));
        hand_ = i < objects_.size() ? std::optional<std::size_t>(i) : std::nullopt;
        return id;
    }
    std::optional<object_id> evict_s3fifo() {
        const auto bytes = [](const std::vector<object>& q) {
            std::uint64_t b = 0;
            for (const auto& o : q) b += o.size;
            return b;
        };
        while (!small_.empty() && bytes(small_) * 10 >= bytes(small_) + bytes(main_)) {
            auto o = small_.front();
            small_.erase(small_.begin());
            if (o.frequency == 0) {
                ghost_.push_back(o.id);
                while (ghost_.size() > std::max<std::size_t>(small_.size() + main_.size(), 1)) ghost_.erase(ghost_.begin());
                return o.id;
            }
            o.frequency = 0;
            main_.push_back(o);
        }
        while (!main_.empty()) {
            auto o = main_.front();
            main_.erase(main_.begin());
            if (o.frequency == 0) return o.id;
            --o.frequency;
            main_.push_back(o);
        }
        return std::nullopt;
    }

    eviction_kind kind_;
    std::vector<object> objects_, small_, main_;  // front = oldest
    std::vector<object_id> ghost_;
    std::optional<std::size_t> hand_;
    double inflation_ = 0;
    std::uint64_t tick_ = 0;
};

std::vector<object_id> victims(eviction_policy& p, std::size_t n) {
    std::vector<object_id> out;
    for (std::size_t i = 0; i < n; ++i)
        if (auto v = p.pick_victim()) out.push_back(*v);
    return out;
}

}  // namespace

TEST_CASE("policy names parse and print") {
    for (auto kind : all_eviction_kinds()) CHECK(parse_eviction_kind(eviction_kind_name(kind)) == kind);
    CHECK_FALSE(parse_eviction_kind("LRU"));
    CHECK_FALSE(parse_eviction_kind(""));
    CHECK(all_eviction_kinds().size() == 6);
}

TEST_CASE("scripted sequences evict the victims each policy is defined to choose") {
    // Insert 1..4 (sizes 10, 100, 10, 1000), then access 1, 1, 3.
    const auto run = [](eviction_kind kind) {
        auto p = make_eviction_policy(kind);
        const std::uint64_t sizes[] = {10, 100, 10, 1000};
        for (object_id id = 1; id <= 4; ++id) p->on_insert(id, sizes[id - 1]);
        for (object_id id : {1, 1, 3}) p->on_access(id);
        return victims(*p, 4);
    };
    CHECK(run(eviction_kind::lru) == std::vector<object_id>{2, 4, 1, 3});
    CHECK(run(eviction_kind::fifo) == std::vector<object_id>{1, 2, 3, 4});
    CHECK(run(eviction_kind::lfu) == std::vector<object_id>{2, 4, 3, 1});
    // priorities 3/10, 1/100, 2/10, 1/1000: the big layer goes first.
    CHECK(run(eviction_kind::gdsf) == std::vector<object_id>{4, 2, 3, 1});
    // The hand clears 1 then evicts 2; then 3 is cleared, 4 evicted, and 1, 3 follow.
    CHECK(run(eviction_kind::sieve) == std::vector<object_id>{2, 4, 1, 3});
    // All in the small queue: 1 moves to main, 2 is evicted, 3 moves, 4 is evicted, then main.
    CHECK(run(eviction_kind::s3fifo) == std::vector<object_id>{2, 4, 1, 3});
}

TEST_CASE("S3-FIFO readmits a ghost straight into the main queue") {
    auto p = make_eviction_policy(eviction_kind::s3fifo);
    p->on_insert(1, 10);
    p->on_insert(2, 10);
    CHECK(p->pick_victim() == object_id{1});  // never accessed: a ghost now
    p->on_insert(1, 10);                       // back: goes to main
    p->on_insert(3, 10);
    // small = {2, 3} (20 bytes of 30): small is drained first, main's 1 survives.
    CHECK(victims(*p, 3) == std::vector<object_id>{2, 3, 1});
}

TEST_CASE("every policy matches its reference model on random traces") {
    for (auto kind : all_eviction_kinds()) {
        for (unsigned seed = 1; seed <= 20; ++seed) {
            INFO(eviction_kind_name(kind) << " seed " << seed);
            std::mt19937_64 rng(seed);
            auto policy = make_eviction_policy(kind);
            reference_model model(kind);
            std::map<object_id, bool> tracked;
            std::vector<object_id> got, want;
            object_id next_id = 1;
            for (int step = 0; step < 600; ++step) {
                const auto op = rng() % 10;
                if (op < 3 || tracked.empty()) {
                    // Some ids come back after eviction (S3-FIFO's ghosts); sizes span 1 B to 8 GiB.
                    const object_id id = (rng() % 4 == 0 && next_id > 5) ? 1 + rng() % (next_id - 1) : next_id++;
                    if (tracked.count(id)) continue;
                    const std::uint64_t size = 1 + rng() % (rng() % 2 ? 1000 : 8ull << 30);
                    policy->on_insert(id, size);
                    model.insert(id, size);
                    tracked[id] = true;
                } else if (op < 8) {
                    auto it = tracked.begin();
                    std::advance(it, static_cast<std::ptrdiff_t>(rng() % tracked.size()));
                    policy->on_access(it->first);
                    model.access(it->first);
                } else if (op < 9) {
                    const auto v = policy->pick_victim();
                    const auto m = model.evict();
                    REQUIRE(v == m);
                    if (v) tracked.erase(*v);
                } else {
                    auto it = tracked.begin();
                    std::advance(it, static_cast<std::ptrdiff_t>(rng() % tracked.size()));
                    policy->erase(it->first);
                    model.erase(it->first);
                    tracked.erase(it);
                }
                REQUIRE(policy->size() == tracked.size());
            }
            while (auto v = policy->pick_victim()) {
                REQUIRE(v == model.evict());
                tracked.erase(*v);
            }
            CHECK(tracked.empty());
            CHECK_FALSE(model.evict());
        }
    }
}

TEST_CASE("policies ignore unknown ids and survive an empty cache") {
    for (auto kind : all_eviction_kinds()) {
        INFO(eviction_kind_name(kind));
        auto p = make_eviction_policy(kind);
        p->on_access(7);
        p->erase(7);
        CHECK_FALSE(p->pick_victim());
        p->on_insert(1, 0);  // a zero-byte blob exists (the empty layer)
        p->on_restore_access(1, 5);
        CHECK(p->pick_victim() == object_id{1});
        CHECK(p->size() == 0);
    }
}
