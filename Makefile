# prism — build, test, demo, bench, install.
#
#   make            module .so, the libraries, prism-host, prism-aws, plugins
#   make test       installs what it needs, builds, runs every suite
#   make demo       the whole pipeline on the local emulator, end to end
#   make install    DESTDIR-aware install under PREFIX; the module into
#                   nginx's modules directory (configure --with-nginx-modules)
#   make install-imaging   only what out-of-tree plugins build against: the
#                   plugin header, libprismimaging.a + libprismimageinfo.a +
#                   libprismplugin-support.a, their headers and pkg-config's
#                   prism-imaging.pc
#   make deb        Debian packages in build/deb/ (debian/, dpkg-buildpackage)
#
# Sources are found by convention, so adding a file needs no edit here:
#   aws/*.c admin/*.c imageinfo/*.c imaging/*.c plugin-support/*.c ingress/*.c
#   host/*.c provision/*.c tools/*.c             -> one static library each
#   */bin/NAME.c                                 -> program build/NAME
#   plugins/NAME/*.c                             -> build/plugins/NAME.so
#   tests/unit/test_NAME.c                       -> build/tests/test_NAME (ASan/UBSan)
#   tests/plugins/NAME.c                         -> build/test-plugins/NAME.so
#   tests/fuzz/fuzz_NAME.c                       -> build/fuzz/fuzz_NAME (libFuzzer)

-include config.mk

BUILD    := build
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
INCS     := -Iaws -Iadmin -Iimageinfo -Iimaging -Iplugin-support -Iingress -Ihost -Iprovision -Itools \
            -Iinclude -I$(BUILD)/include
DEPCFLAGS = $(CURL_CFLAGS) $(SSL_CFLAGS) $(JANSSON_CFLAGS) $(EXPAT_CFLAGS) \
            $(JPEG_CFLAGS) $(WEBP_CFLAGS) $(PNG_CFLAGS) \
            $(WEBPDEMUX_CFLAGS) $(WEBPMUX_CFLAGS) $(GIF_CFLAGS) $(HEIF_CFLAGS) $(LCMS_CFLAGS) \
            $(AVIF_CFLAGS) $(SYSTEMD_CFLAGS)
ALL_CFLAGS = -std=gnu11 $(OPT) $(WARN) -fPIC $(INCS) $(DEPCFLAGS) $(CPPFLAGS) $(CFLAGS)
# the libraries', programs' and plugins' objects: nothing is exported but
# what is marked (a plugin's descriptor, PRISM_PLUGIN_EXPORT); the test
# programs keep the default, so ASan finds their __asan_default_options
VIS      := -fvisibility=hidden
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

AWS_LIBS  = $(CURL_LIBS) $(SSL_LIBS) $(JANSSON_LIBS) $(EXPAT_LIBS)
IMG_LIBS  = $(JPEG_LIBS) $(WEBPDEMUX_LIBS) $(WEBPMUX_LIBS) $(WEBP_LIBS) $(PNG_LIBS) $(GIF_LIBS) $(HEIF_LIBS) \
            $(LCMS_LIBS) -lm
SYS_LIBS  = -ldl -lpthread -lm
# libraries one program alone needs: NAME_LIBS (sd_notify: the host's master)
prism-host_LIBS = $(SYSTEMD_LIBS)

# what may include what: docs/architecture.md, tests/scripts/layering.t
LIBNAMES := aws admin imageinfo imaging plugin-support ingress host provision tools
aws_SRCS       := $(wildcard aws/*.c)
admin_SRCS     := $(wildcard admin/*.c)
imageinfo_SRCS := $(wildcard imageinfo/*.c)
imaging_SRCS   := $(wildcard imaging/*.c)
plugin-support_SRCS := $(wildcard plugin-support/*.c)
ingress_SRCS   := $(wildcard ingress/*.c)
host_SRCS      := $(wildcard host/*.c)
provision_SRCS := $(wildcard provision/*.c)
tools_SRCS     := $(wildcard tools/*.c)

lib_objs  = $(patsubst %.c,$(BUILD)/$(2)/%.o,$($(1)_SRCS))
LIBS_A   := $(foreach l,$(LIBNAMES),$(if $($(l)_SRCS),$(BUILD)/obj/libprism$(l).a))
LIBS_SAN := $(foreach l,$(LIBNAMES),$(if $($(l)_SRCS),$(BUILD)/san/libprism$(l).a))
LIBS_FUZZ:= $(foreach l,$(LIBNAMES),$(if $($(l)_SRCS),$(BUILD)/fuzz/libprism$(l).a))
# tools, provision, host, admin, ingress, aws, plugin-support, imaging,
# imageinfo: the static link order
LINK_A    = $(filter %tools.a,$(1)) $(filter %provision.a,$(1)) $(filter %host.a,$(1)) \
            $(filter %admin.a,$(1)) $(filter %ingress.a,$(1)) $(filter %aws.a,$(1)) \
            $(filter %plugin-support.a,$(1)) $(filter %imaging.a,$(1)) $(filter %imageinfo.a,$(1))

PROG_SRCS := $(wildcard */bin/*.c)
PROGS     := $(patsubst %.c,$(BUILD)/%,$(notdir $(PROG_SRCS)))
# every program's --version, from the one VERSION file; the plugin
# directory "make install" fills (prism-run-plugin -l NAME looks there)
VERSION_H := $(BUILD)/include/prism_version.h
# what make install installs: the programs, not the test tools (tests/bin)
INSTALL_PROGS := $(patsubst %.c,$(BUILD)/%,$(notdir $(filter-out tests/%,$(PROG_SRCS))))
PLUGINS   := $(notdir $(patsubst %/,%,$(dir $(wildcard plugins/*/*.c))))
PLUGIN_SO := $(patsubst %,$(BUILD)/plugins/%.so,$(sort $(PLUGINS)))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TPLUG_SO  := $(patsubst tests/plugins/%.c,$(BUILD)/test-plugins/%.so,$(wildcard tests/plugins/*.c))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

NGX_BUILD  := $(BUILD)/nginx
NGX_MODULE := $(NGX_BUILD)/objs/ngx_http_prism_module.so
# ngx_module/config names the library files it compiles; any of them
# changing rebuilds the module
NGX_DEPS   := $(wildcard ngx_module/config ngx_module/exports.map ngx_module/*.c ngx_module/*.h) \
              $(wildcard aws/*.[ch] imageinfo/*.[ch] ingress/*.[ch])

# the version of the last debian/changelog entry
VERSION := $(shell cat VERSION)

SIGV4_SUITE ?= ../shared/aws-sigv4-test-suite
FUZZ_SECONDS ?= 60
# third-party leaks the fuzz targets cannot fix (see the file)
FUZZ_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0

.PHONY: all module deps bench-ingress bench-e2e test test-build unit sigv4 nginx-tests e2e test-faults fuzz fuzz-replay \
        demo run bench install install-imaging clean distclean local-aws-start local-aws-stop \
        aws-provision aws-deprovision aws-plan load valgrind deb
.DEFAULT_GOAL := all

all: $(LIBS_A) $(PROGS) $(PLUGIN_SO) $(if $(wildcard ngx_module/config),module)
module: $(NGX_MODULE)

# config.mk is written by ./configure; targets that install their own
# dependencies (test, demo, bench) install them before configuring.
config.mk: configure
	@case " $(MAKECMDGOALS) " in *" test "*|*" e2e "*|*" nginx-tests "*|*" unit "*|*" test-faults "*|*" load "*|*" demo "*|*" run "*|*" bench "*|*" deps "*) \
	    scripts/deps.sh ;; esac
	./configure

deps:
	scripts/deps.sh

# --- objects and libraries ------------------------------------------------
$(BUILD)/obj/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(VIS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(VIS) $(SAN) -MMD -MP -c $< -o $@

FUZZ_CC    ?= clang
FUZZ_FLAGS := -std=gnu11 -g -O1 -fPIC $(INCS) -fno-omit-frame-pointer
$(BUILD)/fuzz/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(VIS) $(DEPCFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

# one static library per area and variant: obj (plain), san (ASan/UBSan),
# fuzz (clang, libFuzzer instrumentation)
define lib_rules
$(BUILD)/$(2)/libprism$(1).a: $(call lib_objs,$(1),$(2))
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach v,obj san fuzz,$(foreach l,$(LIBNAMES),$(if $($(l)_SRCS),$(eval $(call lib_rules,$(l),$(v))))))

# --- programs -------------------------------------------------------------
$(VERSION_H): VERSION config.mk
	@mkdir -p $(dir $@)
	printf '#define PRISM_VERSION "%s"\n#define PRISM_PLUGIN_DIR "%s"\n' \
	    "$$(cat VERSION)" "$(PREFIX)/lib/prism/plugins" > $@
$(foreach v,obj san,$(patsubst %.c,$(BUILD)/$(v)/%.o,$(PROG_SRCS))): $(VERSION_H)

# NAME-san: the same program built with ASan/UBSan, for the e2e suites
define prog_rule
$(BUILD)/$(notdir $(basename $(1))): $(BUILD)/obj/$(basename $(1)).o $(LIBS_A)
	$$(CC) $$(OPT) $$(LDFLAGS) -o $$@ $$< $$(call LINK_A,$(LIBS_A)) $$(AWS_LIBS) $$(IMG_LIBS) \
	    $$($(notdir $(basename $(1)))_LIBS) $$(SYS_LIBS)
$(BUILD)/$(notdir $(basename $(1)))-san: $(BUILD)/san/$(basename $(1)).o $(LIBS_SAN)
	$$(CC) $$(OPT) $$(SAN) -o $$@ $$< $$(call LINK_A,$(LIBS_SAN)) $$(AWS_LIBS) $$(IMG_LIBS) \
	    $$($(notdir $(basename $(1)))_LIBS) $$(SYS_LIBS)
endef
$(foreach p,$(PROG_SRCS),$(eval $(call prog_rule,$(p))))

# --- plugins: each folder one .so; no AWS code is linked into a plugin -----
# PLUGIN_LIBS_<name>: what one plugin links besides the imaging library
PLUGIN_LIBS_avif = $(AVIF_LIBS)
define plugin_rule
$(BUILD)/plugins/$(1).so: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard plugins/$(1)/*.c)) \
                          $(filter %plugin-support.a %imaging.a %imageinfo.a,$(LIBS_A))
	@mkdir -p $$(dir $$@)
	$$(CC) -shared $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(call LINK_A,$$(filter %.a,$$^)) \
	    $$(PLUGIN_LIBS_$(1)) $$(IMG_LIBS) -Wl,--no-undefined -Wl,-z,defs -lc
endef
$(foreach p,$(sort $(PLUGINS)),$(eval $(call plugin_rule,$(p))))

# test plugins (ok/retry/reject/crash/slow...) exercise the host's semantics
$(BUILD)/test-plugins/%.so: tests/plugins/%.c include/prism/plugin.h $(wildcard tests/plugins/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(OPT) $(WARN) -fPIC -shared -Iinclude -o $@ $<

# --- nginx module, built by nginx's own configure out of tree ---------------
# nginx's configure reads the module's file lists from ngx_module/config,
# so it reruns when the config changes.
$(NGX_BUILD)/objs/Makefile: ngx_module/config config.mk
	rm -rf $(NGX_BUILD) && mkdir -p $(BUILD) && cp -r $(NGX_SRC) $(NGX_BUILD)
	cd $(NGX_BUILD) && ./configure $(NGX_CONF_FLAGS) \
	    $(if $(strip $(CPPFLAGS)),--with-cc-opt="$(CPPFLAGS)") \
	    $(if $(strip $(LDFLAGS)),--with-ld-opt="$(LDFLAGS)") \
	    --add-dynamic-module=$(CURDIR)/ngx_module > configure.log 2>&1 \
	    || { tail -30 configure.log; exit 1; }

$(NGX_MODULE): $(NGX_BUILD)/objs/Makefile $(NGX_DEPS)
	$(MAKE) -C $(NGX_BUILD) -f objs/Makefile modules

# --- tests ----------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c $(LIBS_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) $(CMOCKA_CFLAGS) -o $@ $< $(call LINK_A,$(LIBS_SAN)) \
	    $(CMOCKA_LIBS) $(AWS_LIBS) $(IMG_LIBS) $(SYSTEMD_LIBS) $(SYS_LIBS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIBS_FUZZ)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(DEPCFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(call LINK_A,$(LIBS_FUZZ)) $(AWS_LIBS) $(IMG_LIBS) $(SYS_LIBS)

# The test targets build in parallel (one job per core), then run.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test-build:
	$(MAKE) -j$(JOBS) all $(UNIT_BINS) $(TPLUG_SO) $(FUZZ_BINS) \
	    $(BUILD)/prism-host-san $(BUILD)/prism-run-plugin-san

test: test-build
	scripts/deps.sh corpus && scripts/deps.sh deb && bench/corpus.sh
	scripts/run-tests.sh

# the plugins through the driver under valgrind on real photos
valgrind: all
	scripts/deps.sh corpus && bench/corpus.sh && scripts/valgrind-corpus.sh

unit: $(UNIT_BINS)
	scripts/run-tests.sh unit

nginx-tests: test-build
	scripts/run-tests.sh nginx

e2e: test-build
	scripts/run-tests.sh e2e

fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$${f##*/fuzz_}; mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	    $(FUZZ_ENV) $$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$$n || exit 1; done

fuzz-replay: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$${f##*/fuzz_}; \
	    out=$$($(FUZZ_ENV) $$f -runs=0 tests/fuzz/corpus/$$n 2>&1) || { echo "$$out"; echo "fuzz-replay: $$n FAILED"; exit 1; }; \
	    echo "fuzz-replay: $$n: $$(echo "$$out" | tail -1)"; done

RESOURCES ?= conf/resources.json
aws-provision: $(BUILD)/prism-provision
	$(BUILD)/prism-provision up -f $(RESOURCES)
aws-deprovision: $(BUILD)/prism-provision
	$(BUILD)/prism-provision down -f $(RESOURCES)
aws-plan: $(BUILD)/prism-provision
	$(BUILD)/prism-provision show -f $(RESOURCES)

demo: all
	scripts/deps.sh demo && bench/corpus.sh && scripts/demo.sh

run: all
	scripts/stack.sh run

bench: all
	scripts/deps.sh bench && bench/run.sh

# the upload endpoint against nginx's own DAV PUT (docs/benchmarks.md)
bench-ingress: all
	scripts/deps.sh bench && bench/corpus.sh && /usr/bin/python3 bench/ingress.py

# prism-host against a Node + AWS SDK v3 + sharp consumer, per role, end
# to end on the emulator; scaling with 1 and 2 workers (docs/benchmarks.md)
bench-e2e: all
	scripts/deps.sh bench && bench/corpus.sh && /usr/bin/python3 bench/e2e.py

# fault injection and hostile inputs on isolated local stacks (docs/reliability.md)
test-faults: test-build
	prove tests/faults/ tests/bad-inputs/

# 10 000 uploads at concurrency 32 on an isolated local stack
load: all
	perl tests/faults/load.pl -n 10000 -c 32

local-aws-start:
	scripts/local-aws.sh start
local-aws-stop:
	scripts/local-aws.sh stop

# --- install --------------------------------------------------------------
# The module goes where nginx resolves "load_module modules/NAME.so"
# (NGX_MODULES_PATH, from nginx's --modules-path), whatever PREFIX is.
install: all install-imaging
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/prism/plugins \
	    $(DESTDIR)$(PREFIX)/include/prism $(DESTDIR)$(PREFIX)/share/pkgconfig \
	    $(DESTDIR)$(NGX_MODULES_PATH)
	$(if $(INSTALL_PROGS),install -m 755 $(INSTALL_PROGS) $(DESTDIR)$(PREFIX)/bin/)
	$(if $(PLUGIN_SO),install -m 755 $(PLUGIN_SO) $(DESTDIR)$(PREFIX)/lib/prism/plugins/)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' conf/prism-plugin.pc.in \
	    > $(DESTDIR)$(PREFIX)/share/pkgconfig/prism-plugin.pc
	$(if $(wildcard ngx_module/config),install -m 644 $(NGX_MODULE) $(DESTDIR)$(NGX_MODULES_PATH)/)

# --- Debian packages --------------------------------------------------------
# make deb: the packages of debian/ in build/deb/, built by Debian's own
# tools (dpkg-buildpackage, debhelper) from a copy of this tree: they
# write next to the source directory, and the copy builds afresh with
# Debian's hardening flags while this tree's build/ and config.mk stay.
# The debug symbols (-dbgsym packages) go to build/deb/dbgsym/.
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/prism-$(VERSION)
deb:
	scripts/deps.sh deb
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	git ls-files -z --cached --others --exclude-standard \
	    | tar --null --ignore-failed-read -T - -cf - | tar -C $(DEB_SRC) -xf -
	@test "$$(sed -n '1s/^prism (\([^)-]*\).*/\1/p' debian/changelog)" = "$(VERSION)" \
	    || { echo "debian/changelog's version is not VERSION's ($(VERSION))"; exit 1; }
	(cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -J$(JOBS)) > $(DEB_DIR)/build.log 2>&1 \
	    || { tail -40 $(DEB_DIR)/build.log; exit 1; }
	rm -rf $(DEB_SRC)
	mkdir -p $(DEB_DIR)/dbgsym
	find $(DEB_DIR) -maxdepth 1 -name '*-dbgsym_*.deb' -exec mv -t $(DEB_DIR)/dbgsym/ {} +
	@ls $(DEB_DIR)/*.deb

# The imaging library for plugins built out of tree (docs/plugins.md):
#   cc -shared -fPIC -o p.so p.c $(pkg-config --cflags --libs prism-imaging)
# Static (-fPIC) archives, so a plugin carries its own copy and the host
# exports nothing; the .pc names the libraries they need after them.
IMG_PC_ABI := $(shell sed -n 's/^\#define PRISM_PLUGIN_ABI_VERSION *//p' include/prism/plugin.h)
install-imaging: $(filter %plugin-support.a %imaging.a %imageinfo.a,$(LIBS_A))
	install -d $(DESTDIR)$(PREFIX)/include/prism/imaging $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/prism/*.h $(DESTDIR)$(PREFIX)/include/prism/
	install -m 644 imaging/*.h plugin-support/*.h imageinfo/imageinfo.h \
	    $(DESTDIR)$(PREFIX)/include/prism/imaging/
	install -m 644 $^ $(DESTDIR)$(PREFIX)/lib/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	    'Name: prism-imaging' \
	    'Description: prism plugin ABI and imaging library (decode JPEG/PNG/WebP/GIF/HEIF/AVIF into sRGB, resample, encode JPEG/WebP)' \
	    'Version: $(IMG_PC_ABI)' \
	    'Cflags: $(strip -I$${includedir} -I$${includedir}/prism/imaging $(JPEG_CFLAGS) $(WEBP_CFLAGS))' \
	    'Libs: -L$${libdir} -lprismplugin-support -lprismimaging -lprismimageinfo $(strip $(IMG_LIBS))' \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/prism-imaging.pc

clean:
	rm -rf $(BUILD) t/servroot

distclean: clean
	rm -rf config.mk .local

-include $(shell find $(BUILD)/obj $(BUILD)/san $(BUILD)/fuzz -name '*.d' 2>/dev/null)
