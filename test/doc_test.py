#!/usr/bin/env python3
"""Runs the SQL examples of one Markdown page and checks its links.

Usage: doc_test.py [--write] PAGE DBNAME
       doc_test.py --coverage PAGE...

Every ```sql block of PAGE runs, in order, in one psql -X session on the
database DBNAME (which must exist, with the extension created).  When a
```text block follows it directly (a blank line may separate them), what
psql printed for the block (results in aligned format, notices and errors
as psql prints them, no echo) must equal that block, line by line, with
trailing blanks and command tags such as "CREATE TABLE" ignored on both
sides; otherwise the block must not raise an
error.  A block with a comment "-- SQLSTATE XXXXX" must end with that
error code as its last error.  Every relative link and #anchor of the page
must resolve.
--write rewrites the text blocks with what psql printed (and, when
SNN_DOC_WRITE=all, adds one after every block that printed something):
read the diff before committing it.
Prints a unified diff for each mismatch; exits 1 when anything failed.
--coverage checks that every function and view of sql/install/*.sql (but
those taking internal and those whose comment starts with "internal") is
named in some sql block of the pages; a deprecated alias (comment
"deprecated alias of NEW") may instead be a row "| `old` | `NEW` |" of a
renames table when NEW has an example.
"""
import difflib
import os
import re
import subprocess
import sys

MARK = "@@snn-doc-block %d@@"
FENCE = re.compile(r"^( {0,3})(```+|~~~+)\s*([^\s`]*)[^`]*$")


def blocks(lines):
	"""Fenced blocks as (lang, first line index, content line indexes, end index)."""
	out = []
	i = 0
	while i < len(lines):
		m = FENCE.match(lines[i])
		if not m:
			i += 1
			continue
		fence, lang = m.group(2), m.group(3).lower()
		j = i + 1
		while j < len(lines) and not lines[j].strip().startswith(fence):
			j += 1
		out.append((lang, i, (i + 1, j), j))
		i = j + 1
	return out


def examples(lines):
	"""Pairs (sql block, following text block or None)."""
	bl = blocks(lines)
	pairs = []
	for n, b in enumerate(bl):
		if b[0] != "sql":
			continue
		text = None
		if n + 1 < len(bl) and bl[n + 1][0] == "text":
			gap = lines[b[3] + 1:bl[n + 1][1]]
			if all(not g.strip() for g in gap) and len(gap) <= 1:
				text = bl[n + 1]
		pairs.append((b, text))
	return pairs, bl


TAG = re.compile(r"[A-Z][A-Z ]*[A-Z]( \d+)*")


def norm(text_lines):
	"""Trailing blanks off each line, command tags (CREATE TABLE, INSERT 0 2)
	out, blank lines off both ends: a page may show the tags or not."""
	ls = [l.rstrip() for l in text_lines if not TAG.fullmatch(l.rstrip())]
	while ls and not ls[0]:
		ls.pop(0)
	while ls and not ls[-1]:
		ls.pop()
	return ls


def complete(sql_lines):
	"""True when the block's last statement is terminated."""
	for l in reversed(sql_lines):
		s = re.sub(r"--.*$", "", l).strip()
		if s:
			return s.endswith(";") or s.startswith("\\")
	return True


def run_psql(pairs, lines, db):
	"""One session for the page; returns the output of each block."""
	script = ["\\pset pager off"]
	for n, (b, _) in enumerate(pairs):
		script.append("\\echo '" + MARK % n + "'")
		script.extend(lines[b[2][0]:b[2][1]])
		script.append("\\echo '@@snn-doc-state' :LAST_ERROR_SQLSTATE")
		script.append("\\set LAST_ERROR_SQLSTATE 00000")
	script.append("\\echo '" + MARK % len(pairs) + "'")
	env = dict(os.environ, PGTZ="UTC", PGDATESTYLE="ISO, MDY", PAGER="")
	env.pop("PSQLRC", None)
	p = subprocess.run(["psql", "-X", "-d", db, "-v", "ON_ERROR_STOP=0"],
					   input="\n".join(script) + "\n", stdout=subprocess.PIPE,
					   stderr=subprocess.STDOUT, text=True, env=env)
	out = {}
	state = {}
	cur = None
	for l in p.stdout.split("\n"):
		m = re.fullmatch(r"@@snn-doc-block (\d+)@@", l)
		st = re.fullmatch(r"@@snn-doc-state (\w+)", l)
		if m:
			cur = int(m.group(1))
			out[cur] = []
		elif st and cur is not None:
			state[cur] = st.group(1)
		elif cur is not None:
			out[cur].append(l)
	return [(out.get(n), state.get(n)) for n in range(len(pairs))], p.stdout


def slug(heading, seen):
	"""GitHub's anchor for a heading."""
	h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
	h = h.replace("`", "").strip().lower()
	h = re.sub(r"[^\w\- ]", "", h).replace(" ", "-")
	n = seen.get(h, 0)
	seen[h] = n + 1
	return h if n == 0 else "%s-%d" % (h, n)


def anchors(path, cache={}):
	"""Every heading anchor of a Markdown file."""
	if path not in cache:
		lines = open(path, encoding="utf-8").read().split("\n")
		inside = set()
		for b in blocks(lines):
			inside.update(range(b[1], b[3] + 1))
		seen = {}
		cache[path] = {slug(m.group(2), seen) for i, l in enumerate(lines)
					   if i not in inside for m in [re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", l)] if m}
	return cache[path]


def check_links(page, lines, bl):
	"""Errors for relative links and anchors that do not resolve."""
	inside = set()
	for b in bl:
		inside.update(range(b[1], b[3] + 1))
	text = "\n".join("" if i in inside else l for i, l in enumerate(lines))
	text = re.sub(r"`[^`]*`", "", text)
	errs = []
	for m in re.finditer(r"\]\(([^)\s]+)\)", text):
		target = m.group(1)
		line = text.count("\n", 0, m.start()) + 1
		if re.match(r"^[a-z][a-z0-9+.-]*:", target):
			continue
		path, _, anchor = target.partition("#")
		full = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
		if not os.path.exists(full):
			errs.append("%s:%d: link %s: no such file %s" % (page, line, target, full))
		elif anchor and (not full.endswith(".md") or anchor not in anchors(full)):
			errs.append("%s:%d: link %s: no heading #%s in %s" % (page, line, target, anchor, full))
	return errs


def coverage(pages):
	"""Every SQL function and view of sql/install/*.sql in some example."""
	import glob
	src = "\n".join(open(f, encoding="utf-8").read() for f in sorted(glob.glob("sql/install/*.sql")))
	names = set()
	aliases = {}
	for m in re.finditer(r"CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|VIEW)\s+(?:\w+\.)?(\w+)\s*(\([^)]*\))?", src, re.I):
		kind, name, args = m.group(1).upper(), m.group(2), m.group(3) or ""
		if kind == "FUNCTION" and re.search(r"\binternal\b", args):
			continue			# called by the server only, not from SQL
		com = re.search(r"COMMENT ON FUNCTION\s+(?:\w+\.)?" + name + r"\s*\([^)]*\)\s+IS\s+'([^']*)", src, re.I)
		if com and com.group(1).startswith("internal"):
			continue			# an internal helper
		dep = com and re.match(r"deprecated alias of (\w+)", com.group(1))
		if dep:
			aliases[name] = dep.group(1)
		names.add(name)
	sql = []
	renamed = set()
	for page in pages:
		lines = open(page, encoding="utf-8").read().split("\n")
		for b in blocks(lines):
			if b[0] == "sql":
				sql.extend(lines[b[2][0]:b[2][1]])
		# rows "| `old(...)` | `new(...)` |" of a renames table
		for l in lines:
			r = re.match(r"^\|\s*`(\w+)[^`]*`\s*\|\s*`(\w+)[^`]*`\s*\|", l)
			if r:
				renamed.add((r.group(1), r.group(2)))
	text = "\n".join(sql)

	def shown(n):
		"""An example names it, or it is a deprecated alias listed in a
		renames table whose new name has an example."""
		if re.search(r"\b" + n + r"\b", text):
			return True
		return n in aliases and (n, aliases[n]) in renamed and shown(aliases[n])
	missing = sorted(n for n in names if not shown(n))
	for n in missing:
		print("%s is in sql/install/*.sql but in no sql example of the pages" % n)
	print("coverage: %d functions and views, %d without an example" % (len(names), len(missing)))
	return 1 if missing else 0


def main():
	args = sys.argv[1:]
	if args and args[0] == "--coverage":
		return coverage(args[1:])
	write = args and args[0] == "--write"
	if write:
		args = args[1:]
	page, db = args
	lines = open(page, encoding="utf-8").read().split("\n")
	pairs, bl = examples(lines)
	failed = 0
	for e in check_links(page, lines, bl):
		print(e)
		failed += 1
	for b, _ in pairs:
		if not complete(lines[b[2][0]:b[2][1]]):
			print("%s:%d: the sql block ends inside a statement (missing ;)" % (page, b[1] + 1))
			failed += 1
	outs, raw = run_psql(pairs, lines, db) if pairs else ([], "")
	edits = []
	checked = 0
	for n, ((b, text), (out, sqlstate)) in enumerate(zip(pairs, outs)):
		where = "%s:%d" % (page, b[1] + 1)
		claims = re.findall(r"--.*\bSQLSTATE ([0-9A-Z]{5})\b", "\n".join(lines[b[2][0]:b[2][1]]))
		if out is not None and claims and claims[-1] != sqlstate:
			print("%s: the block says SQLSTATE %s, its last error had %s" % (where, claims[-1], sqlstate))
			failed += 1
		if out is None:
			print("%s: psql did not reach this block; its output:\n%s" % (where, raw[-3000:]))
			failed += 1
			continue
		got = norm(out)
		if text is None:
			errs = [l for l in got if re.match(r"^(ERROR|FATAL|PANIC):", l)]
			if errs:
				print("%s: a block without a text block raised an error:\n  %s" % (where, "\n  ".join(errs)))
				failed += 1
			if write and os.environ.get("SNN_DOC_WRITE") == "all" and got:
				edits.append((b[3] + 1, b[3] + 1, [""] + ["```text"] + got + ["```"]))
			continue
		checked += 1
		want = norm(lines[text[2][0]:text[2][1]])
		if got != want:
			if write:
				edits.append((text[2][0], text[2][1], got))
				continue
			failed += 1
			print("%s: the output differs from the text block at line %d:" % (where, text[1] + 1))
			for d in difflib.unified_diff(want, got, "page", "psql", lineterm="", n=2):
				print("  " + d)
	if write and edits:
		for s, e, new in sorted(edits, reverse=True):
			lines[s:e] = new
		open(page, "w", encoding="utf-8").write("\n".join(lines))
		print("%s: rewrote %d text blocks" % (page, len(edits)))
	print("%s: %d sql blocks, %d outputs checked, %d failures" % (page, len(pairs), checked, failed))
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
