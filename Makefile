# snn: PGXS build.  Sources are picked up by wildcard so that each concern
# lives in its own file; the install script is assembled from the ordered
# fragments in sql/install/ (one per area) so areas do not edit one file.

EXTENSION = snn
EXTVERSION = 0.2.0

MODULE_big = snn
# src/ by subsystem (types, index, network, train, runtime, streams) over
# src/shared (what they all use), snn.c (the entry point) at the top, the
# engine in src/engine.
SRC_DIRS = src src/shared src/types src/index src/network src/train src/runtime src/streams
SRCS = $(sort $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))) $(sort $(wildcard src/engine/*.c))
OBJS = $(SRCS:.c=.o)
HEADERS = $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.h)) $(wildcard src/engine/*.h)

INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
# Older install scripts (frozen, checked in) and upgrade scripts are shipped
# as they are; only the current install script is built (and cleaned).
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

# Every sql/*.sql that is not an install or upgrade script is a regression test.
REGRESS = $(sort $(notdir $(basename $(filter-out sql/$(EXTENSION)--%,$(wildcard sql/*.sql)))))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)


# -O3 for the kernels; -Werror keeps the build warning-free; the engine is C11.
PG_CPPFLAGS = $(addprefix -I,$(SRC_DIRS)) -Isrc/engine
PG_CFLAGS = -O3 -Werror
PG_LDFLAGS = -lm
SHLIB_LINK = -lm

EXTRA_CLEAN = $(DATA_built) test/unit/*.bin test/fuzz/*.bin

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(OBJS): $(HEADERS)

$(DATA_built): $(INSTALL_PARTS) Makefile
	@printf '%s\n' '-- snn $(EXTVERSION): generated from sql/install/*.sql by make; edit those.' > $@
	@printf '%s\n' '\echo Use "CREATE EXTENSION snn" to load this file. \quit' >> $@
	@for f in $(INSTALL_PARTS); do echo "" >> $@; echo "-- ==== $$f ====" >> $@; cat $$f >> $@; done

# Engine unit tests: plain C, no PostgreSQL; each test/unit/test_*.c is one binary.
ENGINE_SRCS = $(sort $(wildcard src/engine/*.c))
UNIT_SRCS = $(sort $(wildcard test/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:.c=.bin)
UNIT_CFLAGS = -std=c11 -O2 -g -Wall -Wextra -Werror -Isrc/engine -Itest/unit -D_GNU_SOURCE

test/unit/%.bin: test/unit/%.c $(ENGINE_SRCS) $(wildcard src/engine/*.h) test/unit/unit.h
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(ENGINE_SRCS) -lm

.PHONY: unit
unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do ./$$t || exit 1; done

.PHONY: unit-bins
unit-bins: $(UNIT_BINS)

# No cycle between the folders of src/ or between its files, an engine that
# includes only itself and the C library, and the picture of the folders in
# doc/development.md the code's (tools/deps.py --write redraws it).
.PHONY: depcheck
depcheck:
	python3 tools/deps.py --check

# PostgreSQL layout (pgindent's options with pg_bsd_indent, Debian package
# pg-bsd-indent; the typedef list comes from this build's debug information
# and the sources, hence the build first).  indent-check changes nothing and
# fails with the diff when a file would change.
.PHONY: indent indent-check
indent: all
	bash tools/indent.sh

indent-check: all
	bash tools/indent.sh --check
