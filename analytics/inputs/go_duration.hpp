// go_duration: Go's time.Duration text ("1h2m3.5s", "850ms", "12µs") as seconds.
#pragma once

#include <optional>
#include <string_view>

namespace strata::analytics {

// Accepts what Go's Duration.String() and time.ParseDuration produce: an optional sign, then
// one or more decimal numbers each followed by a unit (ns, us, µs, μs, ms, s, m, h), or a
// bare "0". nullopt for anything else (empty, a number without unit, unknown units, junk).
std::optional<double> parse_go_duration_seconds(std::string_view text);

}  // namespace strata::analytics
