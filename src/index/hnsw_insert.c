/*
 * hnsw_insert.c: adding a row to an snn_hnsw index.
 *
 * Search the graph as a query (descent, then ef_construction-wide layer
 * searches), merge into an element with an identical pattern when it has a
 * free heap TID slot, else write a new element with its selected neighbours
 * on the insert page and link it back from each neighbour; then search for
 * the new element as a query would (at SNN_HNSW_REPAIR_EF) and, when that
 * misses it, link it from the nearest element found with a free slot, as
 * the build's repair does for every element.  Each page change
 * is one generic WAL record; during a build (building = true) pages are
 * changed without WAL, since the build logs the whole index at the end.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

/* A page being changed: through generic WAL, or directly during a build. */
typedef struct PageChange
{
	GenericXLogState *state;
	bool		building;
} PageChange;

/* Start changing pages. */
static void
change_start(PageChange *pc, Relation index, bool building)
{
	pc->building = building;
	pc->state = building ? NULL : GenericXLogStart(index);
}

/* The page to write for a locked buffer. */
static Page
change_page(PageChange *pc, Buffer buf, bool fresh)
{
	if (pc->building)
		return BufferGetPage(buf);
	return GenericXLogRegisterBuffer(pc->state, buf, fresh ? GENERIC_XLOG_FULL_IMAGE : 0);
}

/* Apply the changes (the caller marks and releases buffers after). */
static void
change_finish(PageChange *pc, Buffer *bufs, int nbufs)
{
	if (pc->building)
	{
		for (int i = 0; i < nbufs; i++)
			MarkBufferDirty(bufs[i]);
	}
	else
		GenericXLogFinish(pc->state);
}

/* Add a heap TID to an element with the same pattern; false if no room. */
static bool
add_heaptid(Relation index, uint64 id, ItemPointer heap_tid, bool building)
{
	Buffer		buf = ReadBuffer(index, snn_hnsw_id_blk(id));
	Page		page;
	SnnHnswElementTuple e;
	PageChange	pc;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buf);
	e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, snn_hnsw_id_off(id)));
	/* a dead element stays dead: VACUUM may be unlinking it */
	if (e->ntids == 0 || e->ntids >= snn_hnsw_elem_tidcap(e))
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	change_start(&pc, index, building);
	page = change_page(&pc, buf, false);
	e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, snn_hnsw_id_off(id)));
	snn_hnsw_elem_heaptids(e)[e->ntids++] = *heap_tid;
	change_finish(&pc, &buf, 1);
	UnlockReleaseBuffer(buf);
	return true;
}

/*
 * A free element (unlinked by VACUUM) of level at least level on a page:
 * its offset (InvalidOffsetNumber if none), the smallest such level, so that
 * the few upper level slots stay for upper level elements.  *nfree counts
 * the page's free elements.
 */
static OffsetNumber
page_free_slot(Page page, int level, int *nfree)
{
	OffsetNumber off = InvalidOffsetNumber;
	int			bestlevel = INT_MAX;

	*nfree = 0;
	if (PageIsNew(page) || SnnHnswPageGetOpaque(page)->page_id != SNN_HNSW_PAGE_ID)
		return InvalidOffsetNumber;
	for (OffsetNumber o = FirstOffsetNumber; o <= PageGetMaxOffsetNumber(page); o++)
	{
		SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, o));

		if (!snn_hnsw_is_element(e) || e->ntids != 0 ||
			!(e->flags & SNN_HNSW_ELEMENT_FREE))
			continue;
		(*nfree)++;
		if (e->level >= level && e->level < bestlevel)
		{
			bestlevel = e->level;
			off = o;
		}
	}
	return off;
}

/*
 * A free element for a new element of the given level, on a page the free
 * space map offers (a few are tried): its buffer, locked, with *off set;
 * else InvalidBuffer.  A page tried that keeps free elements is offered
 * again: at once when it had none to fit, through *again (which the caller
 * records after releasing its locks) when one was taken.
 */
static Buffer
find_free_slot(Relation index, int level, OffsetNumber *off, BlockNumber *again)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);

	*again = InvalidBlockNumber;
	*off = InvalidOffsetNumber;
	for (int attempt = 0; attempt < 4; attempt++)
	{
		BlockNumber blk = GetFreeIndexPage(index);
		Buffer		buf;
		int			nfree;

		if (blk == InvalidBlockNumber)
			break;
		if (blk == SNN_HNSW_METAPAGE || blk >= nblocks)
			continue;
		buf = ReadBuffer(index, blk);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		*off = page_free_slot(BufferGetPage(buf), level, &nfree);
		if (OffsetNumberIsValid(*off))
		{
			if (nfree > 1)
				*again = blk;
			return buf;
		}
		UnlockReleaseBuffer(buf);
		if (nfree > 0)
			RecordFreeIndexPage(index, blk);
	}
	return InvalidBuffer;
}

/*
 * The compact form of a new element in ebuf (header, heap TID, code) ready
 * for PageAddItem: its neighbour lists are written in place after.
 */
static Size
compact_element(char *ebuf, const uint8 *code, int codesize, int level, int m,
				ItemPointer heap_tid)
{
	SnnHnswCompactTuple ct = (SnnHnswCompactTuple) ebuf;
	Size		sz = offsetof(SnnHnswCompactTupleData, data) + codesize +
	sizeof(uint32) * snn_hnsw_slots(level, m);

	memset(ebuf, 0, SNN_HNSW_COMPACT_SIZE(codesize, level, m));
	ct->type = SNN_HNSW_COMPACT_TUPLE;
	ct->level = level;
	ct->ntids = 1;
	ct->heaptid = *heap_tid;
	memcpy(ct->data, code, codesize);
	return sz;
}

/* Write the selected neighbours of a placed element, every layer. */
static void
write_selected(Page page, OffsetNumber off, int level, snn_hnsw_cand **sel,
			   int *nsel, int m)
{
	uint64		ids[2 * SNN_HNSW_MAX_M];

	for (int lc = 0; lc <= level; lc++)
	{
		for (int i = 0; i < nsel[lc]; i++)
			ids[i] = sel[lc][i].id;
		snn_hnsw_set_neighbors(page, off, lc, m, ids, nsel[lc]);
	}
}

/*
 * Overwrite the free compact element at off (of this or a higher level, so
 * at least as long) with the new one: header, TID and code at its start,
 * the lists at its end, every old slot cleared.
 */
static void
reuse_compact(Page page, OffsetNumber off, const uint8 *code, int codesize,
			  int level, ItemPointer heap_tid, snn_hnsw_cand **sel, int *nsel, int m)
{
	ItemId		iid = PageGetItemId(page, off);
	SnnHnswCompactTuple e = (SnnHnswCompactTuple) PageGetItem(page, iid);
	Size		need = offsetof(SnnHnswCompactTupleData, data) + codesize +
	sizeof(uint32) * snn_hnsw_slots(level, m);

	if (e->type != SNN_HNSW_COMPACT_TUPLE || ItemIdGetLength(iid) < need)
		elog(ERROR, "snn_hnsw: free compact element of size %u, expected at least %zu",
			 ItemIdGetLength(iid), need);
	snn_hnsw_clear_neighbors(page, off, m);
	e->level = level;
	e->ntids = 1;
	e->flags = 0;
	e->heaptid = *heap_tid;
	memcpy(e->data, code, codesize);
	write_selected(page, off, level, sel, nsel, m);
}

/*
 * Overwrite the free element at off of a registered page with the new
 * element: pattern, level, heap TID and neighbour lists (every slot the old
 * element had is cleared, so none of its links survive).
 */
static void
reuse_element(Page page, OffsetNumber off, SnnHnswElementTuple et, Size esz,
			  snn_hnsw_cand **sel, int *nsel, int m)
{
	ItemId		iid = PageGetItemId(page, off);
	SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, iid);
	OffsetNumber nboff = e->neighbor_offno;
	SnnHnswNeighborTuple nt;

	if (e->type != SNN_HNSW_ELEMENT_TUPLE || ItemIdGetLength(iid) != esz)
		elog(ERROR, "snn_hnsw: free element of size %u, expected %zu",
			 ItemIdGetLength(iid), esz);
	et->neighbor_offno = nboff;
	memcpy(e, et, esz);
	nt = (SnnHnswNeighborTuple) PageGetItem(page, PageGetItemId(page, nboff));
	for (int i = 0; i < nt->count; i++)
		ItemPointerSetInvalid(&nt->tids[i]);
	for (int lc = 0; lc <= et->level; lc++)
	{
		int			start = snn_hnsw_layer_start(lc, m);

		for (int i = 0; i < nsel[lc]; i++)
			ItemPointerSet(&nt->tids[start + i], snn_hnsw_id_blk(sel[lc][i].id),
						   snn_hnsw_id_off(sel[lc][i].id));
	}
}

/*
 * Write a new element and its neighbour tuple: into a free element's place
 * when the free space map offers one, else on the insert page (or a new
 * page); holding the meta buffer so that inserts place tuples one at a time;
 * raises the entry point in the same record when the element's level is the
 * new top.  Returns the element's id.
 */
static uint64
write_element(Relation index, const uint8 *code, int dim, int codesize, int level,
			  ItemPointer heap_tid, snn_hnsw_cand **sel, int *nsel, int m,
			  bool building, int format)
{
	bool		compact = format == SNN_HNSW_FORMAT_COMPACT;
	Size		esz = SNN_HNSW_ELEMENT_SIZE(codesize);
	Size		nsz = SNN_HNSW_NEIGHBOR_SIZE(level, m);
	Size		csz = SNN_HNSW_COMPACT_SIZE(codesize, level, m);
	Size		need = compact ? csz + sizeof(ItemIdData) :
	esz + nsz + 2 * sizeof(ItemIdData);
	char	   *ebuf = palloc0(Max(esz, csz));
	char	   *nbuf = palloc0(nsz);
	SnnHnswElementTuple et = (SnnHnswElementTuple) ebuf;
	SnnHnswNeighborTuple nt = (SnnHnswNeighborTuple) nbuf;
	Buffer		bufs[2];
	Buffer		metabuf,
				buf = InvalidBuffer;
	Page		metapage,
				page;
	SnnHnswMetaPage meta;
	BlockNumber blk;
	BlockNumber again = InvalidBlockNumber;
	OffsetNumber off = InvalidOffsetNumber;
	bool		fresh = false;
	PageChange	pc;

	et->type = SNN_HNSW_ELEMENT_TUPLE;
	et->level = level;
	et->ntids = 1;
	et->dim = dim;
	et->heaptids[0] = *heap_tid;
	for (int t = 1; t < SNN_HNSW_HEAPTIDS; t++)
		ItemPointerSetInvalid(&et->heaptids[t]);
	memcpy(et->data, code, codesize);
	nt->type = SNN_HNSW_NEIGHBOR_TUPLE;
	nt->count = snn_hnsw_slots(level, m);
	for (int i = 0; i < nt->count; i++)
		ItemPointerSetInvalid(&nt->tids[i]);
	for (int lc = 0; lc <= level; lc++)
	{
		int			start = snn_hnsw_layer_start(lc, m);

		for (int i = 0; i < nsel[lc]; i++)
			ItemPointerSet(&nt->tids[start + i], snn_hnsw_id_blk(sel[lc][i].id),
						   snn_hnsw_id_off(sel[lc][i].id));
	}

	metabuf = ReadBuffer(index, SNN_HNSW_METAPAGE);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = SnnHnswPageGetMeta(BufferGetPage(metabuf));
	if (meta->dim != 0 && meta->dim != (uint32) dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different spikes dimensions %d and %u", dim, meta->dim)));
	if (!building)
		buf = find_free_slot(index, level, &off, &again);
	blk = meta->insert_page;
	if (!BufferIsValid(buf) && BlockNumberIsValid(blk))
	{
		buf = ReadBuffer(index, blk);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		if (PageGetExactFreeSpace(BufferGetPage(buf)) < need)
		{
			UnlockReleaseBuffer(buf);
			buf = InvalidBuffer;
		}
	}
	if (!BufferIsValid(buf))
	{
		/* before extending, so that a refused insert adds no page */
		if (compact)
			snn_hnsw_compact_check_block(index, RelationGetNumberOfBlocks(index));
		LockRelationForExtension(index, ExclusiveLock);
		buf = ReadBuffer(index, P_NEW);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		UnlockRelationForExtension(index, ExclusiveLock);
		fresh = true;
		/* a concurrent extension got there first: this page is unused */
		if (compact)
			snn_hnsw_compact_check_block(index, BufferGetBlockNumber(buf));
	}

	change_start(&pc, index, building);
	metapage = change_page(&pc, metabuf, false);
	page = change_page(&pc, buf, fresh);
	if (fresh)
		snn_hnsw_init_page(buf, page);
	meta = SnnHnswPageGetMeta(metapage);
	blk = BufferGetBlockNumber(buf);
	if (compact && OffsetNumberIsValid(off))
		reuse_compact(page, off, code, codesize, level, heap_tid, sel, nsel, m);
	else if (compact)
	{
		Size		sz = compact_element(ebuf, code, codesize, level, m, heap_tid);

		off = OffsetNumberNext(PageGetMaxOffsetNumber(page));
		if (off > 0xFF || PageAddItem(page, (Item) ebuf, sz, off, false, false) != off)
			elog(ERROR, "snn_hnsw: failed to add an element to block %u", blk);
		write_selected(page, off, level, sel, nsel, m);
		meta->insert_page = blk;
	}
	else if (OffsetNumberIsValid(off))
		reuse_element(page, off, et, esz, sel, nsel, m);
	else
	{
		off = OffsetNumberNext(PageGetMaxOffsetNumber(page));
		et->neighbor_offno = OffsetNumberNext(off);
		if (PageAddItem(page, (Item) ebuf, esz, off, false, false) != off ||
			PageAddItem(page, (Item) nbuf, nsz, et->neighbor_offno, false, false) != et->neighbor_offno)
			elog(ERROR, "snn_hnsw: failed to add an element to block %u", blk);
		meta->insert_page = blk;
	}
	if (meta->dim == 0)
	{
		meta->dim = dim;
		meta->max_level = snn_hnsw_max_level(format, dim, m);
	}
	if (level > meta->entry_level)
	{
		meta->entry_level = level;
		meta->entry_blkno = blk;
		meta->entry_offno = off;
	}
	bufs[0] = metabuf;
	bufs[1] = buf;
	change_finish(&pc, bufs, 2);
	UnlockReleaseBuffer(buf);
	UnlockReleaseBuffer(metabuf);
	/* the page keeps other free elements: offer it again */
	if (BlockNumberIsValid(again))
		RecordFreeIndexPage(index, again);
	pfree(ebuf);
	pfree(nbuf);
	return snn_hnsw_tid_id(blk, off);
}

/* Whether the item at off of a locked page is an element with layer lc. */
static bool
element_has_layer(Page page, OffsetNumber off, int lc)
{
	SnnHnswElementTuple e;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		return false;
	e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
	return snn_hnsw_is_element(e) && lc <= e->level;
}

/*
 * Before a pruned list of nb is written: an element it would drop that no
 * other neighbour links back to stays, in place of the farthest element
 * the list keeps other than new (which then goes through the in-degree
 * check after the write like any dropped element).  Checking before the
 * write means a crash between the write and the check after it cannot
 * leave the element unreachable; the check after the write still covers
 * two inserts dropping its last two in-links at once.  Returns the count.
 */
static int
keep_last_links(SnnHnswGraph *g, uint64 nb, uint64 new, int lc,
				const uint64 *old, int n, uint64 *upd, int nupd, int cap)
{
	int			spare = nupd - 1;	/* the farthest place that may give way */

	for (int i = 0; i < n; i++)
	{
		bool		kept = false;
		bool		live;

		for (int j = 0; j < nupd && !kept; j++)
			kept = upd[j] == old[i];
		(void) snn_hnsw_cached_vector(g, old[i], &live);
		if (kept || !live || snn_hnsw_count_inlinks(g, old[i], lc, 1, nb) > 0)
			continue;
		if (nupd < cap)
		{
			upd[nupd++] = old[i];
			continue;
		}
		while (spare >= 0 && upd[spare] == new)
			spare--;
		if (spare < 0)
			break;
		upd[spare--] = old[i];
	}
	return nupd;
}

/*
 * Make new a neighbour of nb at layer lc.  The new list is computed with no
 * lock held (it needs other elements' patterns), then written only if nb's
 * list is still the one it was computed from; otherwise it is recomputed.
 * With force, new takes the farthest place when the heuristic drops it (so
 * every element keeps a way in).  True when nb's list now holds new.
 * Elements the new list leaves out are appended to dropped (when given).
 */
bool
snn_hnsw_link(SnnHnswGraph *g, uint64 nb, uint64 new, int lc, bool force, bool building,
			  uint64 *dropped, int *ndropped)
{
	int			cap = snn_hnsw_layer_cap(lc, g->m);
	uint64		old[2 * SNN_HNSW_MAX_M];
	uint64		now[2 * SNN_HNSW_MAX_M];
	uint64		upd[2 * SNN_HNSW_MAX_M];
	snn_hnsw_cand c[2 * SNN_HNSW_MAX_M + 1];

	for (int attempt = 0; attempt < 10; attempt++)
	{
		int			n = snn_hnsw_read_neighbors(g->index, nb, lc, g->m, old, cap, NULL);
		int			nupd = 0;
		bool		keep_new = false;
		Buffer		buf;
		Page		page;
		PageChange	pc;
		int			nnow;

		for (int i = 0; i < n; i++)
			if (old[i] == new)
				return true;
		if (n < cap)
		{
			memcpy(upd, old, sizeof(uint64) * n);
			upd[n] = new;
			nupd = n + 1;
		}
		else
		{
			const uint8 *base = snn_hnsw_cached_vector(g, nb, NULL);
			int			nc = 0;

			/* dead elements give up their slots first */
			for (int i = 0; i < n; i++)
			{
				bool		live;
				const uint8 *v = snn_hnsw_cached_vector(g, old[i], &live);

				if (!live)
					continue;
				c[nc].id = old[i];
				c[nc].dist = snn_hnsw_dist_pair(g, base, v);
				nc++;
			}
			c[nc].id = new;
			c[nc].dist = snn_hnsw_dist_pair(g, base, snn_hnsw_cached_vector(g, new, NULL));
			nc++;
			snn_hnsw_sort(c, nc);
			nupd = snn_hnsw_select(&g->cb, c, nc, cap, c);
			for (int i = 0; i < nupd; i++)
			{
				upd[i] = c[i].id;
				keep_new |= c[i].id == new;
			}
			if (!keep_new)
			{
				if (!force)
					return false;
				if (nupd < cap)
					nupd++;
				upd[nupd - 1] = new;
			}
			if (dropped != NULL)
				nupd = keep_last_links(g, nb, new, lc, old, n, upd, nupd, cap);
		}

		buf = ReadBuffer(g->index, snn_hnsw_id_blk(nb));
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		/* a reused slot may now hold an element of a lower level */
		if (!element_has_layer(BufferGetPage(buf), snn_hnsw_id_off(nb), lc))
		{
			UnlockReleaseBuffer(buf);
			return false;
		}
		/* re-read under the lock: another insert may have changed the list */
		nnow = snn_hnsw_get_neighbors(BufferGetPage(buf), snn_hnsw_id_off(nb),
									  lc, g->m, now, cap);
		if (nnow != n || memcmp(now, old, sizeof(uint64) * n) != 0)
		{
			UnlockReleaseBuffer(buf);
			continue;
		}
		change_start(&pc, g->index, building);
		page = change_page(&pc, buf, false);
		snn_hnsw_set_neighbors(page, snn_hnsw_id_off(nb), lc, g->m, upd, nupd);
		change_finish(&pc, &buf, 1);
		UnlockReleaseBuffer(buf);
		for (int i = 0; i < n && dropped; i++)
		{
			bool		kept = false;

			for (int j = 0; j < nupd && !kept; j++)
				kept = upd[j] == old[i];
			if (!kept)
				dropped[(*ndropped)++] = old[i];
		}
		return true;
	}
	return false;
}

/*
 * How many live elements link to id at layer lc, counting up to enough.
 * In-links are not stored, so look where they nearly always are: in the
 * lists of id's own neighbours (links are mostly mutual); the count stops
 * at enough, so the usual cost is a few page reads.  The count may miss
 * links from elsewhere (the caller then adds a link, which costs nothing in
 * correctness).  Callers count after writing the list they pruned, so of two
 * inserts dropping the same element's last two in-links at once, the later
 * count sees both gone.
 */
int
snn_hnsw_count_inlinks(SnnHnswGraph *g, uint64 id, int lc, int enough, uint64 except)
{
	int			cap = snn_hnsw_layer_cap(lc, g->m);
	uint64		out[2 * SNN_HNSW_MAX_M];
	uint64		back[2 * SNN_HNSW_MAX_M];
	int			n = snn_hnsw_read_neighbors(g->index, id, lc, g->m, out, cap, NULL);
	int			found = 0;

	for (int i = 0; i < n && found < enough; i++)
	{
		bool		live;
		int			nb;

		(void) snn_hnsw_cached_vector(g, out[i], &live);
		if (!live || out[i] == id || out[i] == except)
			continue;
		nb = snn_hnsw_read_neighbors(g->index, out[i], lc, g->m, back, cap, NULL);
		for (int j = 0; j < nb; j++)
			if (back[j] == id)
			{
				found++;
				break;
			}
	}
	return found;
}

/*
 * The in-degree check of an insert: every element a pruned list dropped
 * (dropped[0..n), room for cap ids) that no neighbour links back to any
 * more is kept by the new element's own list, which the pruned list now
 * holds; when that forces another element out, it is checked the same way.
 * Each element is checked once, so this ends.
 */
static void
keep_dropped(SnnHnswGraph *g, uint64 id, int lc, uint64 *dropped, int n, int cap,
			 bool building)
{
	int			lcap = snn_hnsw_layer_cap(lc, g->m);

	for (int i = 0; i < n; i++)
	{
		uint64		x = dropped[i];
		bool		live;
		bool		seen = false;

		for (int j = 0; j < i && !seen; j++)
			seen = dropped[j] == x;
		if (seen || x == id)
			continue;
		(void) snn_hnsw_cached_vector(g, x, &live);
		if (!live || snn_hnsw_count_inlinks(g, x, lc, 1, SNN_HNSW_NO_ID) > 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		/* what the new list forces out is appended while there is room */
		if (n + lcap <= cap)
			(void) snn_hnsw_link(g, id, x, lc, true, building, dropped, &n);
		else
			(void) snn_hnsw_link(g, id, x, lc, true, building, NULL, NULL);
	}
}

/*
 * Link new from nb at layer lc when nb's list there has a free slot and does
 * not hold new yet; an element a search found may hold it already without
 * having been expanded.  Never displaces a kept neighbour.  True when linked.
 */
static bool
link_free_slot(SnnHnswGraph *g, uint64 nb, uint64 new, int lc, bool building)
{
	int			cap = snn_hnsw_layer_cap(lc, g->m);
	uint64		ids[2 * SNN_HNSW_MAX_M];
	Buffer		buf = ReadBuffer(g->index, snn_hnsw_id_blk(nb));
	Page		page;
	PageChange	pc;
	int			n;
	bool		has = false;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buf);
	if (!element_has_layer(page, snn_hnsw_id_off(nb), lc))
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	n = snn_hnsw_get_neighbors(page, snn_hnsw_id_off(nb), lc, g->m, ids, cap);
	for (int i = 0; i < n && !has; i++)
		has = ids[i] == new;
	if (has || n >= cap)
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	ids[n++] = new;
	change_start(&pc, g->index, building);
	page = change_page(&pc, buf, false);
	snn_hnsw_set_neighbors(page, snn_hnsw_id_off(nb), lc, g->m, ids, n);
	change_finish(&pc, &buf, 1);
	UnlockReleaseBuffer(buf);
	return true;
}

/*
 * The findability check of an insert, the build's repair for one element:
 * on each layer of the new element (up to the entry point's), a search for
 * its own code from the entry point at SNN_HNSW_REPAIR_EF; when it misses
 * the element, the nearest element it found with a free slot links to it,
 * so that a later search for the same pattern finds it.  Returns the number
 * of links added.
 */
static int
refind_inserted(SnnHnswGraph *g, uint64 id, int level, bool building)
{
	SnnHnswMetaPageData meta;
	snn_hnsw_cand found[SNN_HNSW_REPAIR_EF];
	int			added = 0;

	snn_hnsw_read_meta(g->index, &meta);
	if (meta.entry_level < 0)
		return 0;
	for (int lc = 0; lc <= Min(level, meta.entry_level); lc++)
	{
		snn_hnsw_cand entry;
		bool		live;
		bool		hit = false;
		int			nf;

		entry.id = snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno);
		if (entry.id == id)
			break;
		entry.dist = g->cb.dist_query(g, entry.id, &live);
		snn_hnsw_descend(&g->cb, &g->work, &entry, meta.entry_level, lc, 2 * g->m);
		nf = snn_hnsw_search_layer(&g->cb, &g->work, &entry, 1, SNN_HNSW_REPAIR_EF,
								   lc, snn_hnsw_layer_cap(lc, g->m), found);
		for (int i = 0; i < nf && !hit; i++)
			hit = found[i].id == id;
		for (int i = 0; i < nf && !hit; i++)
		{
			hit = link_free_slot(g, found[i].id, id, lc, building);
			added += hit;
		}
		CHECK_FOR_INTERRUPTS();
	}
	return added;
}

/* Insert one pattern (the work of aminsert, and of a build past memory). */
void
snn_hnsw_insert_value(Relation index, const uint8 *vec, int dim,
					  ItemPointer heap_tid, bool building)
{
	SnnHnswMetaPageData meta;
	SnnHnswGraph g;
	LOCKMODE	lockmode = ShareLock;
	int			metric = snn_hnsw_get_metric(index);
	int			m,
				efc,
				level,
				top,
				maxlevel;
	snn_hnsw_cand *sel[SNN_HNSW_MAX_LEVEL + 1];
	int			nsel[SNN_HNSW_MAX_LEVEL + 1] = {0};
	uint64		id;
	uint8	   *code;

	if (!building)
		LockPage(index, SNN_HNSW_UPDATE_LOCK, lockmode);
	snn_hnsw_read_meta(index, &meta);
	m = meta.m;
	efc = meta.ef_construction;
	if (meta.dim != 0 && meta.dim != (uint32) dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different spikes dimensions %d and %u", dim, meta.dim),
				 errdetail("The snn_hnsw index holds patterns of %u neurons.", meta.dim)));
	snn_hnsw_check_dim(meta.format, dim, m);
	maxlevel = snn_hnsw_max_level(meta.format, dim, m);
	level = snn_hnsw_random_level(pg_prng_double(&pg_global_prng_state), m, maxlevel);

	/* a new top level changes the entry point: one such insert at a time */
	if (level > meta.entry_level && !building)
	{
		UnlockPage(index, SNN_HNSW_UPDATE_LOCK, lockmode);
		lockmode = ExclusiveLock;
		LockPage(index, SNN_HNSW_UPDATE_LOCK, lockmode);
		snn_hnsw_read_meta(index, &meta);
	}

	snn_hnsw_graph_init(&g, index, dim, m, metric, meta.quantize, true);

	/*
	 * The new element is placed by its code, as stored: with codes, an
	 * element of the same code takes its row (the lower bound of the code
	 * holds for every row), and neighbours are chosen on cell centres.
	 */
	code = palloc(g.codesize);
	snn_quant_encode(g.quant, vec, dim, code);
	g.query = code;
	g.query_code = true;
	top = Min(level, meta.entry_level);
	for (int lc = 0; lc <= level; lc++)
		sel[lc] = palloc(sizeof(snn_hnsw_cand) * (efc + 1));

	if (meta.entry_level >= 0)
	{
		snn_hnsw_cand entry;
		snn_hnsw_cand *w = palloc(sizeof(snn_hnsw_cand) * (efc + 1));
		snn_hnsw_cand *ents = &entry;
		int			nents = 1;
		bool		live;

		entry.id = snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno);
		entry.dist = g.cb.dist_query(&g, entry.id, &live);
		snn_hnsw_descend(&g.cb, &g.work, &entry, meta.entry_level, level, 2 * m);
		for (int lc = top; lc >= 0; lc--)
		{
			int			cap = snn_hnsw_layer_cap(lc, m);
			int			nw = snn_hnsw_search_layer(&g.cb, &g.work, ents, nents, efc, lc, cap, w);

			if (lc == 0)
			{
				/* an identical pattern: one more heap TID on that element */
				for (int i = 0; i < nw && w[i].dist == 0; i++)
					if (add_heaptid(index, w[i].id, heap_tid, building))
						goto done;
			}
			nsel[lc] = snn_hnsw_select(&g.cb, w, nw, cap, sel[lc]);
			if (nw > 0)
			{
				ents = (snn_hnsw_cand *) memcpy(palloc(sizeof(snn_hnsw_cand) * nw), w,
												sizeof(snn_hnsw_cand) * nw);
				nents = nw;
			}
			CHECK_FOR_INTERRUPTS();
		}
	}

	id = write_element(index, code, dim, g.codesize, level, heap_tid, sel, nsel, m,
					   building, meta.format);
	for (int lc = 0; lc <= top; lc++)
	{
		bool		linked = false;
		int			cap = (nsel[lc] + 1 + SNN_HNSW_MAX_M) * 2 * SNN_HNSW_MAX_M;
		uint64	   *dropped = palloc(sizeof(uint64) * cap);
		int			ndropped = 0;

		for (int i = 0; i < nsel[lc]; i++)
			linked |= snn_hnsw_link(&g, sel[lc][i].id, id, lc, false, building,
									dropped, &ndropped);
		/* no neighbour kept it: the nearest must, or it is unreachable */
		if (!linked && nsel[lc] > 0)
			(void) snn_hnsw_link(&g, sel[lc][0].id, id, lc, true, building,
								 dropped, &ndropped);
		/* elements the new one displaced keep a way in */
		keep_dropped(&g, id, lc, dropped, ndropped, cap, building);
	}
	/* a search for the new element that misses it makes it findable */
	if (refind_inserted(&g, id, level, building) > 0)
		elog(DEBUG1, "snn_hnsw insert: a search for the new element missed it, linked in");

done:
	if (!building)
		UnlockPage(index, SNN_HNSW_UPDATE_LOCK, lockmode);
}

/* aminsert: rows with a NULL pattern are not indexed. */
bool
snn_hnsw_insert(Relation index, Datum *values, bool *isnull,
				ItemPointer heap_tid, Relation heap,
				IndexUniqueCheck checkUnique, bool indexUnchanged,
				IndexInfo *indexInfo)
{
	MemoryContext cxt,
				old;
	Spikes	   *s;

	if (isnull[0])
		return false;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw insert",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	s = snn_hnsw_check_value(values[0], 0);
	snn_hnsw_insert_value(index, s->t, s->dim, heap_tid, false);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return false;
}
