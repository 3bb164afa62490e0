// Tests of kubelet message parsing, label patterns, timestamps and the Kubernetes event importer,
// with a real exporter log from the performance study as a fixture, hostile lines and hostile
// gzip (forged trailers, bombs, truncation, data after the stream, concatenated members).
#include "analytics/inputs/input_stream.hpp"
#include "analytics/inputs/k8s_events.hpp"
#include "analytics/inputs/kubelet_message.hpp"

#include "hostile_files.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

namespace {

const std::filesystem::path fixture =
    STRATA_SOURCE_DIR "/tests/fixtures/k8s-events/aws/eks/cpu/size32/times/events-amg2023-fix-1724365784.json.gz";

std::string pulled_line(const std::string& uid, const std::string& message, const std::string& pod = "job-0") {
    return R"({"metadata":{"uid":")" + uid + R"("},"reason":"Pulled","message":")" + message +
           R"(","source":{"component":"kubelet","host":"node-a"},"lastTimestamp":"2024-08-22T22:29:27Z",)"
           R"("involvedObject":{"namespace":"default","name":")" + pod + R"(","fieldPath":"spec.containers{app}"}})";
}

}  // namespace

TEST_CASE("every kubelet pull message form") {
    auto m = parse_kubelet_message("Pulling", R"(Pulling image "ghcr.io/org/app:v1")");
    REQUIRE(m);
    CHECK(m->what == kubelet_pull_message::kind::pulling);
    CHECK(m->image == "ghcr.io/org/app:v1");

    m = parse_kubelet_message("Pulled", R"(Successfully pulled image "a/b:c" in 1.06s (1.062s including waiting))");
    REQUIRE(m);
    CHECK(m->what == kubelet_pull_message::kind::pulled);
    CHECK(*m->seconds == Approx(1.06));
    CHECK(*m->seconds_with_waiting == Approx(1.062));
    CHECK_FALSE(m->image_bytes);

    m = parse_kubelet_message(
        "Pulled", R"(Successfully pulled image "a/b:c" in 1m2.5s (1m3s including waiting). Image size: 6000000000 bytes.)");
    REQUIRE(m);
    CHECK(*m->seconds == Approx(62.5));
    CHECK(*m->image_bytes == 6000000000ull);

    m = parse_kubelet_message("Pulled", R"(Successfully pulled image "a/b:c" in 850ms)");
    REQUIRE(m);
    CHECK(*m->seconds == Approx(0.85));

    m = parse_kubelet_message("Pulled", R"(Container image "registry.k8s.io/pause:3.9" already present on machine)");
    REQUIRE(m);
    CHECK(m->what == kubelet_pull_message::kind::already_present);
    CHECK(m->image == "registry.k8s.io/pause:3.9");
}

TEST_CASE("malformed kubelet messages are refused") {
    for (const auto& [reason, message] : std::vector<std::pair<std::string, std::string>>{
             {"Pulled", "Successfully pulled image"},
             {"Pulled", R"(Successfully pulled image "a" in soon)"},
             {"Pulled", R"(Successfully pulled image "a" in 1s (2s including)"},
             {"Pulled", R"(Successfully pulled image "a" in 1s. Image size: -5 bytes.)"},
             {"Pulled", R"(Successfully pulled image "a" in 1s. Image size: 99999999999999999999999 bytes.)"},
             {"Pulled", R"(Successfully pulled image "" in 1s)"},
             {"Pulled", R"(Container image "a" is here)"},
             {"Pulling", "Pulling image a"},
             {"Pulling", R"(Pulling image "a" now)"},
             {"Created", R"(Pulling image "a")"},
         }) {
        INFO(reason << ": " << message);
        CHECK_FALSE(parse_kubelet_message(reason, message));
    }
}

TEST_CASE("labels come from the end of a path") {
    const auto labels = labels_from_path("{cloud}/{env}/{node_type}/size{size}/times/*",
                                         "/data/k8s-events/aws/eks/cpu/size32/times/events-x.json.gz");
    REQUIRE(labels);
    CHECK(*labels == label_set{{"cloud", "aws"}, {"env", "eks"}, {"node_type", "cpu"}, {"size", "32"}});
    CHECK_FALSE(labels_from_path("{cloud}/size{size}/times/*", "aws/cpu/32/times/x.json"));
    CHECK_FALSE(labels_from_path("a/b/c/d/e/f", "b/c"));
    CHECK(labels_from_path("x(1)+{n}", "dir/x(1)+7")->at("n") == "7");
    CHECK_THROWS_AS(labels_from_path("{unclosed", "a"), std::invalid_argument);
}

TEST_CASE("RFC 3339 timestamps") {
    CHECK(parse_rfc3339("2024-08-22T22:29:27Z") == 1724365767);
    CHECK(parse_rfc3339("2024-08-22T22:29:27.123456Z") == 1724365767);
    CHECK(parse_rfc3339("2024-08-23T00:29:27+02:00") == 1724365767);
    for (const char* bad : {"", "yesterday", "2024-13-01T00:00:00Z", "2024-08-22 22:29:27Z", "2024-08-22T22:29:27"})
        CHECK_FALSE(parse_rfc3339(bad));
}

TEST_CASE("the importer counts the study's exporter log exactly, and each event once") {
    k8s_event_importer importer;
    importer.add_file(fixture, {{"cloud", "aws"}});
    // Counted independently with Python's json module.
    const auto& c = importer.counts();
    CHECK(c.files == 1);
    CHECK(c.lines == 432);
    CHECK(c.not_json == 0);
    CHECK(c.not_events == 112);
    CHECK(c.events == 320);
    CHECK(c.pulled == 64);
    CHECK(c.pulling == 47);
    CHECK(c.already_present == 0);
    CHECK(c.unparsed_messages == 0);
    REQUIRE(importer.pulls().size() == 64);
    const auto& p = importer.pulls().front();
    CHECK(p.labels.at("cloud") == "aws");
    CHECK(p.seconds);
    CHECK_FALSE(p.node.empty());
    importer.add_file(fixture, {});  // the exporter replaying the same events
    CHECK(importer.counts().duplicates == 320);
    CHECK(importer.pulls().size() == 64);
    importer.add_file("/nonexistent/events.json.gz", {});
    CHECK(importer.counts().unreadable_files == 1);
}

TEST_CASE("junk, hostile and odd lines are counted, never fatal") {
    k8s_event_importer importer;
    std::string text;
    text += "error: http2: client connection lost\n";
    text += "{\"level\":\"info\",\"msg\":\"exporter started\"}\n";                  // not an event
    text += "{\"reason\": 5}\n";                                                  // wrong type
    text += std::string(100000, '[') + "\n";                                     // hostile nesting
    text += "{\"reason\":\"Pulled\",\"message\":\"Successfully pulled image\"}\n"; // unparsed message
    text += "{\"reason\":\"Pulled\",\"message\":" + std::string("\"x") + "\n";     // truncated
    text += pulled_line("u1", R"(Successfully pulled image \"a:1\" in 2s (3s including waiting). Image size: 100 bytes.)") + "\n";
    text += pulled_line("u1", "Successfully pulled image \\\"a:1\\\" in 2s") + "\n";  // same uid: once
    text += pulled_line("u2", R"(Container image \"a:1\" already present on machine)", "job-1") + "\n";
    text += "[1e999999, 123456789012345678901234567890]\n";                       // huge numbers
    text += "\n   \n";
    importer.add_text(text, {});
    const auto& c = importer.counts();
    CHECK(c.lines == 10);
    CHECK(c.not_json == 4);  // the error line, the nesting, the truncation, a bare array
    CHECK(c.not_events == 2);  // the exporter's log line, a reason that is not a string
    CHECK(c.unparsed_messages == 1);
    CHECK(c.duplicates == 1);
    CHECK(c.pulled == 1);
    CHECK(c.already_present == 1);
    REQUIRE(importer.pulls().size() == 2);
    CHECK(importer.pulls()[0].image_bytes == std::uint64_t{100});
    CHECK(*importer.pulls()[0].seconds_with_waiting == Approx(3.0));
    CHECK(importer.pulls()[0].pod == "default/job-0");
    CHECK(importer.pulls()[0].container == "app");
    CHECK(importer.pulls()[1].already_present);
}

TEST_CASE("kubectl's EventList documents, and Pulling paired with Pulled for old kubelets") {
    const std::string doc = R"json({"kind":"EventList","items":[
      {"metadata":{"uid":"a"},"reason":"Pulling","message":"Pulling image \"x:1\"","lastTimestamp":"2024-01-01T00:00:00Z",
       "involvedObject":{"namespace":"ns","name":"p","fieldPath":"spec.containers{c}"}},
      {"metadata":{"uid":"b"},"reason":"Pulled","message":"Successfully pulled image \"x:1\" in 1s",
       "lastTimestamp":"2024-01-01T00:00:09Z","reportingInstance":"node-9",
       "involvedObject":{"namespace":"ns","name":"p","fieldPath":"spec.containers{c}"}},
      {"metadata":{"uid":"c"},"reason":"Pulled","message":"Successfully pulled image \"y:1\" in 1s (1s including waiting)",
       "lastTimestamp":"2024-01-01T00:00:09Z","involvedObject":{"namespace":"ns","name":"q","fieldPath":"spec.containers{c}"}}]})json";
    k8s_event_importer importer;
    importer.add_text(doc, {});
    CHECK(importer.counts().events == 3);
    CHECK(importer.counts().pulling == 1);
    REQUIRE(importer.pulls().size() == 2);
    CHECK(importer.pulls()[0].node == "node-9");
    CHECK(*importer.pulls()[0].seconds == Approx(1.0));  // the message's own figure wins
    CHECK(importer.pulls()[0].time_s == 1704067209);
}

namespace {

using strata::test::gzip_bomb;
using strata::test::gzip_bytes;
using strata::test::temp_dir;
using strata::test::with_claimed_size;
using strata::test::write_bytes;

// n exporter lines, each a Pulled event with its own uid.
std::string pulled_lines(int n, int first_uid = 0) {
    std::string text;
    for (int i = first_uid; i < first_uid + n; ++i)
        text += pulled_line("u" + std::to_string(i), "Successfully pulled image \\\"a:1\\\" in 2s", "job-" + std::to_string(i)) +
                "\n";
    return text;
}

}  // namespace

TEST_CASE("a gzip whose trailer claims 4 GiB imports like the file it was made from") {
    temp_dir t;
    const auto text = read_input_file(fixture, std::size_t{64} << 20);
    REQUIRE(text.text);
    write_bytes(t.path / "claims-4g.json.gz", with_claimed_size(gzip_bytes(*text.text), 0xffffffff));
    k8s_event_importer importer;
    const auto growth = strata::test::peak_rss_growth([&] { importer.add_file(t.path / "claims-4g.json.gz", {}); });
    const auto& c = importer.counts();
    CHECK(c.files == 1);
    CHECK(c.unreadable_files == 0);
    CHECK(c.damaged_files == 0);
    CHECK(c.lines == 432);
    CHECK(c.events == 320);
    CHECK(c.pulled == 64);
    CHECK(importer.errors().empty());
    CHECK(growth < strata::test::rss_growth_limit);
}

TEST_CASE("gzip bombs are counted errors, read in bounded memory") {
    temp_dir t;
    const std::size_t bomb = std::size_t{100} << 20;
    // One 100 MiB line between two good ones, then an EventList opening followed by 100 MiB of newlines.
    const auto line_bomb = gzip_bytes(pulled_lines(1)) + gzip_bomb("{\"reason\":\"", 'A', bomb) +
                           gzip_bytes("\n" + pulled_lines(1, 1));
    const auto newline_bomb = gzip_bomb("{\n", '\n', bomb);
    REQUIRE(line_bomb.size() < (std::size_t{1} << 20));
    REQUIRE(newline_bomb.size() < (std::size_t{1} << 20));
    write_bytes(t.path / "line-bomb.json.gz", line_bomb);
    write_bytes(t.path / "newline-bomb.json.gz", with_claimed_size(newline_bomb, 0xffffffff));
    k8s_event_importer importer({.max_line_bytes = std::size_t{16} << 20, .max_document_bytes = std::size_t{16} << 20});
    const auto growth = strata::test::peak_rss_growth([&] {
        importer.add_file(t.path / "line-bomb.json.gz", {});
        importer.add_file(t.path / "newline-bomb.json.gz", {});
    });
    const auto& c = importer.counts();
    CHECK(c.files == 2);
    CHECK(c.lines == 3);
    CHECK(c.oversized_lines == 1);
    CHECK(c.pulled == 2);
    CHECK(c.unreadable_files == 1);
    CHECK(importer.errors() ==
          std::vector<std::string>{"file " + (t.path / "line-bomb.json.gz").string() +
                                       " line 2: longer than 16777216 bytes, skipped",
                                   "file " + (t.path / "newline-bomb.json.gz").string() +
                                       ": larger than 16777216 bytes"});
    CHECK(growth < strata::test::rss_growth_limit);
}

TEST_CASE("damaged gzip event files keep what came before the damage") {
    temp_dir t;
    const auto text = pulled_lines(2000);
    const auto gz = gzip_bytes(text);
    write_bytes(t.path / "truncated.json.gz", gz.substr(0, gz.size() / 2));
    write_bytes(t.path / "garbage.json.gz", gzip_bytes(pulled_lines(3, 5000)) + "not gzip");
    write_bytes(t.path / "members.json.gz", gzip_bytes(text.substr(0, 1001)) + gzip_bytes(text.substr(1001)));
    k8s_event_importer importer;
    importer.add_file(t.path / "truncated.json.gz", {});
    const auto& c = importer.counts();
    CHECK(c.damaged_files == 1);
    CHECK(c.pulled > 100);
    CHECK(c.pulled < 2000);
    CHECK(c.not_json <= 1);  // the line the truncation cut
    CHECK(importer.errors() ==
          std::vector<std::string>{"file " + (t.path / "truncated.json.gz").string() + ": truncated gzip data"});
    importer.add_file(t.path / "garbage.json.gz", {});
    CHECK(c.damaged_files == 2);
    CHECK(importer.errors().back() ==
          "file " + (t.path / "garbage.json.gz").string() + ": data after the end of the gzip stream");
    // Concatenated members, split mid-line, are one stream: every event, each once.
    k8s_event_importer members;
    members.add_file(t.path / "members.json.gz", {});
    CHECK(members.counts().pulled == 2000);
    CHECK(members.counts().not_json == 0);
    CHECK(members.errors().empty());
}

TEST_CASE("a line over the cap is skipped and named; the lines around it count") {
    temp_dir t;
    const auto text = pulled_lines(1) + std::string(5000, '[') + "\n" + pulled_lines(1, 1);
    write_bytes(t.path / "events.jsonl", text);
    k8s_event_importer importer({.max_line_bytes = 1000});
    importer.add_file(t.path / "events.jsonl", {});
    CHECK(importer.counts().lines == 3);
    CHECK(importer.counts().oversized_lines == 1);
    CHECK(importer.counts().pulled == 2);
    CHECK(importer.errors() == std::vector<std::string>{"file " + (t.path / "events.jsonl").string() +
                                                         " line 2: longer than 1000 bytes, skipped"});
    importer.add_text(text, {});
    CHECK(importer.counts().oversized_lines == 2);
    CHECK(importer.errors().back() == "text line 2: longer than 1000 bytes, skipped");
}

TEST_CASE("an EventList file over the document cap is refused and named; under it, read") {
    temp_dir t;
    std::string doc = "{\n  \"kind\": \"EventList\",\n  \"items\": [\n";
    for (int i = 0; i < 50; ++i)
        doc += std::string(i ? "," : "") + pulled_line("e" + std::to_string(i), "Successfully pulled image \\\"a:1\\\" in 2s") + "\n";
    doc += "]}\n";
    write_bytes(t.path / "events.json.gz", gzip_bytes(doc));
    k8s_event_importer small({.max_document_bytes = doc.size() - 1});
    small.add_file(t.path / "events.json.gz", {});
    CHECK(small.counts().unreadable_files == 1);
    CHECK(small.errors() == std::vector<std::string>{"file " + (t.path / "events.json.gz").string() +
                                                      ": larger than " + std::to_string(doc.size() - 1) + " bytes"});
    k8s_event_importer enough({.max_document_bytes = doc.size()});
    enough.add_file(t.path / "events.json.gz", {});
    CHECK(enough.counts().unreadable_files == 0);
    CHECK(enough.counts().events == 50);
    CHECK(enough.counts().pulled == 50);
}
