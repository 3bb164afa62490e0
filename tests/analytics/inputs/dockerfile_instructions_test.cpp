// Dockerfile text as instructions: continuations, comments, directives, heredocs, hostile bytes.
#include "analytics/inputs/dockerfile_instructions.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("continuation lines join and comment or blank lines inside them are dropped") {
    const auto d = read_dockerfile_instructions(
        "FROM ubuntu\r\n"
        "RUN apt-get update && \\\n"
        "    # a comment inside the command\n"
        "\n"
        "    apt-get install -y gcc   \\  \n"
        "    make\n"
        "  # an indented comment\n"
        "cmd [\"sh\"]\n");
    REQUIRE(d.instructions.size() == 3);
    CHECK(d.instructions[0].keyword == "FROM");
    CHECK(d.instructions[0].arguments == "ubuntu");
    CHECK(d.instructions[1].line == 2);
    CHECK(d.instructions[1].arguments == "apt-get update &&     apt-get install -y gcc       make");
    CHECK(d.instructions[2].keyword == "CMD");
    CHECK(d.instructions[2].line == 8);
}

TEST_CASE("the escape directive counts only at the top") {
    const auto tick = read_dockerfile_instructions("# escape=`\nFROM windows\nRUN dir `\n  c:\\\n");
    CHECK(tick.escape == '`');
    REQUIRE(tick.instructions.size() == 2);
    CHECK(tick.instructions[1].arguments == "dir   c:\\");

    const auto late = read_dockerfile_instructions("FROM a\n# escape=`\nRUN x `\nRUN y\n");
    CHECK(late.escape == '\\');
    CHECK(late.instructions.size() == 3);

    const auto after_comment = read_dockerfile_instructions("# hello\n# escape=`\nFROM a\n");
    CHECK(after_comment.escape == '\\');
}

TEST_CASE("heredoc bodies are not instructions") {
    const auto d = read_dockerfile_instructions(
        "FROM alpine\n"
        "RUN <<EOF\n"
        "FROM evil\n"
        "apk add curl\n"
        "EOF\n"
        "COPY <<-\"CONF\" /etc/app.conf\n"
        "\t\tkey=value\n"
        "\tCONF\n"
        "RUN cat <<A <<'B' > out\n"
        "a\n"
        "A\n"
        "b\n"
        "B\n"
        "RUN echo $((1<<2)) && cat <<<here\n"
        "FROM last\n");
    REQUIRE(d.instructions.size() == 6);
    CHECK(d.instructions[1].heredocs == std::vector<std::string>{"FROM evil\napk add curl\n"});
    CHECK(d.instructions[2].heredocs == std::vector<std::string>{"key=value\n"});
    CHECK(d.instructions[3].heredocs == std::vector<std::string>{"a\n", "b\n"});
    CHECK(d.instructions[4].heredocs.empty());
    CHECK(d.instructions[5].arguments == "last");
    CHECK(d.unterminated_heredocs == 0);
}

TEST_CASE("a heredoc that never ends takes the rest of the file and is counted") {
    const auto d = read_dockerfile_instructions("FROM a\nRUN <<EOF\necho\nFROM b\n");
    REQUIRE(d.instructions.size() == 2);
    CHECK(d.unterminated_heredocs == 1);
    CHECK(d.instructions[1].heredocs.front() == "echo\nFROM b\n");
}

TEST_CASE("exec form has no heredocs, and a continuation at the end of the file ends it") {
    const auto d = read_dockerfile_instructions("RUN [\"cat\", \"<<EOF\"]\nFROM x\nRUN a \\");
    REQUIRE(d.instructions.size() == 3);
    CHECK(d.instructions[0].heredocs.empty());
    CHECK(d.instructions[2].arguments == "a");
}

TEST_CASE("hostile Dockerfile text is read without failing") {
    CHECK(read_dockerfile_instructions("").instructions.empty());
    CHECK(read_dockerfile_instructions("\xEF\xBB\xBF" "from a").instructions.at(0).keyword == "FROM");
    CHECK(read_dockerfile_instructions(std::string("FROM \0\x1b[31m", 11)).instructions.size() == 1);
    const std::string continued(1 << 20, '\\');
    CHECK(read_dockerfile_instructions("RUN " + continued).instructions.size() == 1);
    std::string many_heredocs = "RUN";
    for (int i = 0; i < 10000; ++i) many_heredocs += " <<E" + std::to_string(i);
    const auto d = read_dockerfile_instructions(many_heredocs + "\n");
    CHECK(d.unterminated_heredocs == 10000);
    std::string lines;
    for (int i = 0; i < 100000; ++i) lines += "\\\n";
    CHECK(read_dockerfile_instructions("RUN x " + lines).instructions.size() == 1);
}
