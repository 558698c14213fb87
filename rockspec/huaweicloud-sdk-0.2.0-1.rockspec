rockspec_format = "3.0"
package = "huaweicloud-sdk"
version = "0.2.0-1"
-- the source archive `make dist` writes next to this rockspec (build/dist/); a release publishes
-- both in one place, and `luarocks build huaweicloud-sdk-0.2.0-1.rockspec` runs where they are
source = {
   url = "huaweicloud-sdk-0.2.0.tar.gz",
   dir = "huaweicloud-sdk-0.2.0",
}
description = {
   summary = "Huawei Cloud SDK for Lua: DMS for Kafka Smart Connect and DIS dump tasks",
   detailed = [[
A C core (SDK-HMAC-SHA256 signing, libcurl transport, schema-ordered JSON marshaling) with a thin
Lua layer: clients, credentials, regions and structured errors. Tables in, tables out.
Works on Lua 5.1-5.4 and LuaJIT 2.1, including non-blocking use inside OpenResty.
huaweicloud.emulator, a local stand-in for both services used by tests and demos, needs
LuaSocket (and LuaSec for its HTTPS mode).]],
   license = "Apache-2.0",
   labels = { "huaweicloud", "cloud", "sdk", "kafka", "dis" },
}
dependencies = {
   "lua >= 5.1, < 5.5",
   "lua-cjson >= 2.1.0",
   "luasocket >= 3.0", -- huaweicloud.emulator only; the SDK itself never loads it
}
-- Debian's busted, cjson and LuaSocket are system packages, not rocks: the suite runs as the
-- README says, through make (which installs them as root).
test = {
   type = "command",
   command = "make test",
}
-- CURL names only its library: Debian keeps curl/curl.h under the multiarch include folder,
-- which the compiler searches by itself but luarocks' header probe does not.
external_dependencies = {
   CURL = { library = "curl" },
   OPENSSL = { header = "openssl/evp.h", library = "crypto" },
}
build = {
   type = "builtin",
   -- the Lua modules are the top-level lua/ folder, copied as it is
   modules = {
      ["huaweicloud.core"] = {
         sources = {
            "csrc/core.c", "csrc/desc.c", "csrc/errors.c", "csrc/hash.c", "csrc/head.c", "csrc/http.c",
            "csrc/json.c", "csrc/lcall.c", "csrc/lfile.c", "csrc/lhead.c", "csrc/lmodel.c", "csrc/lop.c",
            "csrc/lparse.c", "csrc/lprepare.c", "csrc/lrequest.c", "csrc/lscratch.c", "csrc/lsecrets.c",
            "csrc/lsent.c", "csrc/lwire.c", "csrc/model.c", "csrc/model_read.c", "csrc/ops.c",
            "csrc/registry.c", "csrc/reqb.c", "csrc/sbuf.c", "csrc/secrets.c", "csrc/signer.c", "csrc/uri.c",
         },
         defines = { "_POSIX_C_SOURCE=200809L" },
         libraries = { "curl", "crypto", "m" },
         incdirs = { "csrc", "$(CURL_INCDIR)", "$(OPENSSL_INCDIR)" },
         libdirs = { "$(CURL_LIBDIR)", "$(OPENSSL_LIBDIR)" },
      },
   },
   -- the `huaweicloud` command: the emulator for local runs (and pipelines as code)
   install = {
      bin = { huaweicloud = "bin/huaweicloud" },
   },
}
