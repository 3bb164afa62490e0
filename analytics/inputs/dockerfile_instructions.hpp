// dockerfile_instructions: Dockerfile text as a list of instructions, with parser directives,
// line continuations, comment lines and heredocs handled as BuildKit's frontend does. Sans-I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

struct dockerfile_instruction {
    std::size_t line = 0;               // 1-based line the instruction starts on
    std::string keyword;                // upper case: "FROM", "RUN", "ARG", …
    std::string arguments;              // the rest: continuation lines joined, comment lines dropped
    std::vector<std::string> heredocs;  // bodies of `<<WORD` documents (RUN, COPY, ADD), in order
};

struct dockerfile_text {
    char escape = '\\';  // `\` or, after a `# escape=`` directive, a backtick
    std::vector<dockerfile_instruction> instructions;
    std::size_t unterminated_heredocs = 0;  // bodies that ran to the end of the file
};

// Reads any bytes without throwing, in time linear in their size:
// - a UTF-8 byte order mark and CR before LF are ignored;
// - `# escape=` and `# syntax=` directives count only before the first other line;
// - a line ending in the escape character (trailing blanks allowed) continues on the next
//   line, and comment or blank lines inside a continuation are skipped;
// - `<<WORD`, `<<-WORD` (leading tabs stripped) and quoted `<<"WORD"` in RUN, COPY and ADD
//   take the following lines as a body up to the line WORD; body lines are never instructions.
dockerfile_text read_dockerfile_instructions(std::string_view text);

}  // namespace strata::analytics
