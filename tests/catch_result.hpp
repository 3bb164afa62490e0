// Lets Catch2 print strata::result values in failure messages.
#pragma once

#include "storage/oci/error.hpp"

#include <catch2/catch.hpp>

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T>> {
    static std::string convert(const boost::system::result<T>& r) {
        return r ? std::string("result(value)") : "result(error: " + r.error().message() + ")";
    }
};
}  // namespace Catch
