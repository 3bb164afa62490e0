// Package installs with and without cache cleanup, and the biggest layers.
#include "analytics/analyses/dockerfile_hygiene.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("package installs are recognised per manager") {
    CHECK(installs_packages("RUN apt-get update && apt-get install -y curl") == package_manager::apt);
    CHECK(installs_packages("/bin/sh -c apt-get -qq install curl") == package_manager::apt);
    CHECK(installs_packages("apt install -y x") == package_manager::apt);
    CHECK(installs_packages("dnf -y install gcc") == package_manager::yum);
    CHECK(installs_packages("yum install -y gcc") == package_manager::yum);
    CHECK(installs_packages("apk add --no-cache bash") == package_manager::apk);
    CHECK(installs_packages("pip install torch") == package_manager::none);
    CHECK(installs_packages("echo apt-get-install") == package_manager::none);
}

TEST_CASE("cleanup must happen in the same step") {
    CHECK(cleans_package_cache("apt-get install -y x && rm -rf /var/lib/apt/lists/*", package_manager::apt));
    CHECK(cleans_package_cache("apt-get install -y x && apt-get clean", package_manager::apt));
    CHECK_FALSE(cleans_package_cache("apt-get install -y x", package_manager::apt));
    CHECK(cleans_package_cache("yum install -y x && yum clean all", package_manager::yum));
    CHECK_FALSE(cleans_package_cache("yum install -y x", package_manager::yum));
    CHECK(cleans_package_cache("apk add --no-cache x", package_manager::apk));
    CHECK_FALSE(cleans_package_cache("apk add x", package_manager::apk));
}

TEST_CASE("hygiene summary counts steps and lists the biggest layers once each") {
    image a{.registry = "r", .repository = "a", .tag = "1"};
    a.layers = {{"base", 1000}, {"apt", 500}, {"copy", 10}};
    a.history = {{"ADD rootfs.tar /", false},
                 {"ENV X=1", true},
                 {"RUN apt-get update && apt-get install -y gcc", false},
                 {"COPY . /src", false}};
    image b{.registry = "r", .repository = "b", .tag = "1"};
    b.layers = {{"base", 1000}, {"clean", 300}};
    b.history = {{"ADD rootfs.tar /", false}, {"RUN apk add --no-cache bash", false}};
    image c{.registry = "r", .repository = "c", .tag = "1"};
    c.layers = {{"x", 1}};  // no history: counted as an image, not as steps
    const auto h = dockerfile_hygiene({a, b, c}, 2);
    CHECK(h.images == 3);
    CHECK(h.images_with_history == 2);
    CHECK(h.layer_steps == 5);
    CHECK(h.install_steps == 2);
    CHECK(h.uncleaned_install_steps == 1);
    CHECK(h.uncleaned_share == Approx(0.5));
    REQUIRE(h.biggest.size() == 2);
    CHECK(h.biggest[0].digest == "base");
    CHECK(h.biggest[0].created_by == "ADD rootfs.tar /");
    CHECK(h.biggest[1].digest == "apt");
    REQUIRE(h.uncleaned.size() == 1);
    CHECK(h.uncleaned[0].digest == "apt");
    CHECK(h.layers_per_image.max == 3);
}

TEST_CASE("a command of a megabyte is scanned, not recursed into") {
    std::string options = "apt-get";
    for (int i = 0; i < 200000; ++i) options += " -y";
    CHECK(installs_packages(options + " x") == package_manager::none);
    CHECK(installs_packages(options + " install x") == package_manager::apt);
    CHECK(installs_packages("/usr/bin/apt-get install x") == package_manager::apt);
    CHECK(installs_packages("true&&apk add x") == package_manager::apk);
    CHECK(installs_packages("snapt install x") == package_manager::none);
}
