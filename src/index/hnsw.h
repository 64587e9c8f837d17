/*
 * hnsw.h: the snn_hnsw index access method (PostgreSQL side).
 *
 * Page layout.  Block 0 is the meta page.  Every other page holds element
 * tuples and neighbour tuples; an element and its neighbour tuple always
 * share a page, so one buffer gives both.  An element tuple holds the pattern
 * (or, with the quantize option, its code: snn_quant in the meta page) and up
 * to SNN_HNSW_HEAPTIDS heap TIDs of rows with that exact pattern (or code)
 * (duplicates merge into one element); an element whose TIDs have all been
 * removed by VACUUM is dead: searches still walk through it but never return
 * it.  Once VACUUM has unlinked it, it is free (SNN_HNSW_ELEMENT_FREE) and its
 * page is in the free space map: an insert may overwrite it in place with an
 * element of the same or a lower level.  A neighbour tuple holds 2m slots for layer 0 and m for each layer
 * above, each an index TID of an element (invalid when unused, used slots
 * first).  The graph search itself is engine code (snn_hnsw_graph.h) that
 * reaches pages through callbacks defined in hnsw_utils.c.
 *
 * With format = compact (meta format SNN_HNSW_FORMAT_COMPACT) an element is
 * instead one SnnHnswCompactTuple: header, one heap TID, code and 4-byte
 * neighbour references in a single item (see below); code outside
 * hnsw_utils.c reaches heap TIDs, data and lists through the accessors.
 *
 * Locking.  Readers take share locks on one buffer at a time.  An insert
 * holds the meta buffer while it places its tuples on the insert page (meta
 * first, then the data page, never the other way); neighbour updates lock one
 * data page at a time and re-check the list they computed without a lock.
 * An insert that reuses a free element locks its page while holding the meta
 * buffer, like the insert page.
 * The heavyweight page lock SNN_HNSW_UPDATE_LOCK is taken in share mode by
 * every insert and exclusively by an insert that raises the entry level, and
 * by VACUUM when it replaces a dead entry point.  Every change after the
 * build is logged with generic WAL; the build writes pages without WAL and
 * logs the whole index once at the end.
 */
#ifndef SNN_HNSW_H
#define SNN_HNSW_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/reloptions.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "storage/itemptr.h"
#include "utils/relcache.h"

#include "snn_distance.h"
#include "snn_hnsw_graph.h"
#include "spikes.h"

#define SNN_HNSW_MAGIC			0x534E4E48	/* "SNNH" */
#define SNN_HNSW_FORMAT			1	/* standard: element and neighbour tuples */
#define SNN_HNSW_FORMAT_COMPACT	2	/* one compact tuple an element */
#define SNN_HNSW_METAPAGE		0
#define SNN_HNSW_PAGE_ID		0xFF95
#define SNN_HNSW_HEAPTIDS		10	/* rows per element (duplicates merge) */
#define SNN_HNSW_UPDATE_LOCK	0	/* heavyweight page lock number */

#define SNN_HNSW_DEFAULT_M		16
#define SNN_HNSW_DEFAULT_EFC	64
#define SNN_HNSW_MIN_EFC		4
#define SNN_HNSW_MAX_EFC		1000
#define SNN_HNSW_MAX_EF_SEARCH	1000

/* Support function 1 of an operator class: tells the metric. */
#define SNN_HNSW_METRIC_PROC	1

/* Build sub-phases shown in pg_stat_progress_create_index. */
#define SNN_HNSW_PHASE_LOAD		2
#define SNN_HNSW_PHASE_WRITE	3
#define SNN_HNSW_PHASE_REPAIR	4

/*
 * Width of the self-searches of the repair that ends an in-memory build
 * (snn_hnsw_mem_repair) and of the one each insert makes for its new
 * element: an element a search this wide misses gets a link.
 */
#define SNN_HNSW_REPAIR_EF		16

#define SNN_HNSW_ELEMENT_TUPLE	1
#define SNN_HNSW_NEIGHBOR_TUPLE	2
#define SNN_HNSW_COMPACT_TUPLE	3

/*
 * Element flag: a dead element that VACUUM has unlinked from the graph; an
 * insert may overwrite it (its page is in the free space map).
 */
#define SNN_HNSW_ELEMENT_FREE	0x01

typedef struct SnnHnswOptions
{
	int32		vl_len_;		/* varlena header */
	int			m;
	int			ef_construction;
	int			quantize;		/* snn_quant: what an element stores */
	int			format;			/* SNN_HNSW_FORMAT or SNN_HNSW_FORMAT_COMPACT */
} SnnHnswOptions;

typedef struct SnnHnswMetaPageData
{
	uint32		magic;
	uint32		format;
	uint32		dim;			/* 0 until the first pattern arrives */
	uint16		m;
	uint16		ef_construction;
	uint16		metric;
	int16		entry_level;	/* -1 when the graph is empty */
	uint16		max_level;		/* highest level whose tuples fit a page */
	uint16		quantize;		/* snn_quant of the element codes (0: none) */
	BlockNumber entry_blkno;
	OffsetNumber entry_offno;
	BlockNumber insert_page;	/* last page, where new elements go */
} SnnHnswMetaPageData;

typedef SnnHnswMetaPageData *SnnHnswMetaPage;

typedef struct SnnHnswPageOpaqueData
{
	BlockNumber nextblkno;
	uint16		unused;
	uint16		page_id;		/* SNN_HNSW_PAGE_ID, for tools */
} SnnHnswPageOpaqueData;

typedef SnnHnswPageOpaqueData *SnnHnswPageOpaque;

typedef struct SnnHnswElementTupleData
{
	uint8		type;			/* SNN_HNSW_ELEMENT_TUPLE */
	uint8		level;
	uint8		ntids;			/* used heaptids; 0 means dead */
	uint8		flags;			/* SNN_HNSW_ELEMENT_FREE */
	OffsetNumber neighbor_offno;	/* neighbour tuple, same page */
	uint16		dim;
	ItemPointerData heaptids[SNN_HNSW_HEAPTIDS];
	uint8		data[FLEXIBLE_ARRAY_MEMBER];	/* pattern, or its code */
} SnnHnswElementTupleData;

typedef SnnHnswElementTupleData *SnnHnswElementTuple;

typedef struct SnnHnswNeighborTupleData
{
	uint8		type;			/* SNN_HNSW_NEIGHBOR_TUPLE */
	uint8		unused;
	uint16		count;			/* slots, snn_hnsw_slots(level, m) */
	ItemPointerData tids[FLEXIBLE_ARRAY_MEMBER];
} SnnHnswNeighborTupleData;

typedef SnnHnswNeighborTupleData *SnnHnswNeighborTuple;

/*
 * The compact format (format = compact): an element is ONE tuple holding its
 * header, at most one heap TID, its pattern or code, and its neighbour
 * lists as 4-byte references (block << 8 | offset; 0, the meta page, is an
 * unused slot).  Its first four bytes are those of a standard element tuple,
 * so level, ntids and flags read the same in both formats; the rest goes
 * through the accessors below.  A row whose code equals an element's gets
 * an element of its own (no merging), and the index is limited to 2^24
 * blocks (128 GiB at 8 kB pages), checked when a page is added.
 */
typedef struct SnnHnswCompactTupleData
{
	uint8		type;			/* SNN_HNSW_COMPACT_TUPLE */
	uint8		level;
	uint8		ntids;			/* 0 (dead) or 1 */
	uint8		flags;			/* SNN_HNSW_ELEMENT_FREE */
	ItemPointerData heaptid;
	uint8		data[FLEXIBLE_ARRAY_MEMBER];	/* code, then uint32
												 * references */
} SnnHnswCompactTupleData;

typedef SnnHnswCompactTupleData *SnnHnswCompactTuple;

#define SNN_HNSW_COMPACT_MAX_BLOCKS	((BlockNumber) 1 << 24)
#define SNN_HNSW_COMPACT_SIZE(codesize, level, m) \
	MAXALIGN(offsetof(SnnHnswCompactTupleData, data) + (codesize) + \
			 sizeof(uint32) * snn_hnsw_slots(level, m))

#define SNN_HNSW_ELEMENT_SIZE(dim) \
	MAXALIGN(offsetof(SnnHnswElementTupleData, data) + (dim))
#define SNN_HNSW_NEIGHBOR_SIZE(level, m) \
	MAXALIGN(offsetof(SnnHnswNeighborTupleData, tids) + \
			 sizeof(ItemPointerData) * snn_hnsw_slots(level, m))
/* Room on an empty data page for items and their line pointers. */
#define SNN_HNSW_PAGE_ROOM \
	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(SnnHnswPageOpaqueData)))

#define SnnHnswPageGetOpaque(page) ((SnnHnswPageOpaque) PageGetSpecialPointer(page))
#define SnnHnswPageGetMeta(page) ((SnnHnswMetaPage) PageGetContents(page))

/* Pack an index TID into a graph id and back. */
static inline uint64
snn_hnsw_tid_id(BlockNumber blk, OffsetNumber off)
{
	return ((uint64) blk << 16) | off;
}

static inline BlockNumber
snn_hnsw_id_blk(uint64 id)
{
	return (BlockNumber) (id >> 16);
}

static inline OffsetNumber
snn_hnsw_id_off(uint64 id)
{
	return (OffsetNumber) (id & 0xFFFF);
}

/* Whether an item is an element tuple of either format. */
static inline bool
snn_hnsw_is_element(const void *item)
{
	uint8		type = *(const uint8 *) item;

	return type == SNN_HNSW_ELEMENT_TUPLE || type == SNN_HNSW_COMPACT_TUPLE;
}

/* An element's heap TIDs (e->ntids of them used), in either format. */
static inline ItemPointer
snn_hnsw_elem_heaptids(SnnHnswElementTuple e)
{
	if (e->type == SNN_HNSW_COMPACT_TUPLE)
		return &((SnnHnswCompactTuple) e)->heaptid;
	return e->heaptids;
}

/* How many heap TIDs an element can hold. */
static inline int
snn_hnsw_elem_tidcap(SnnHnswElementTuple e)
{
	return e->type == SNN_HNSW_COMPACT_TUPLE ? 1 : SNN_HNSW_HEAPTIDS;
}

/* An element's pattern or code, in either format. */
static inline uint8 *
snn_hnsw_elem_data(SnnHnswElementTuple e)
{
	if (e->type == SNN_HNSW_COMPACT_TUPLE)
		return ((SnnHnswCompactTuple) e)->data;
	return e->data;
}

/* Everything a search over the pages needs, set up by snn_hnsw_graph_init. */
typedef struct SnnHnswGraph
{
	Relation	index;
	int			dim;
	int			m;
	int			metric;
	snn_quant	quant;			/* what elements store (meta page) */
	int			codesize;		/* bytes an element stores */
	const uint8 *query;
	bool		query_code;		/* query is a code too (inserts, VACUUM) */
	bool		estimate;		/* scans of codes: distances are keys
								 * (SNN_HNSW_KEY) */
	bool		cache_vectors;	/* keep element patterns for dist_pair */
	struct snn_hnsw_vcache_hash *cache; /* id -> pattern and liveness */
	MemoryContext mcxt;
	snn_hnsw_callbacks cb;
	snn_hnsw_work work;
} SnnHnswGraph;

/*
 * A scan of an index of codes orders elements by the lower bound and breaks
 * its ties, which a loose code makes common (a 2-bit cell is 64 to 111 steps
 * wide, so many elements are at bound 0 on most neurons), by an estimate of
 * the exact distance (to the cells' centres): its graph distances are keys,
 * the bound in the high 32 bits and the estimate in the low 32 (both fit: at
 * most 65535 * 255^2 < 2^32).
 */
#define SNN_HNSW_KEY(bound, estimate)	(((uint64) (bound) << 32) | (uint64) (estimate))
#define SNN_HNSW_KEY_BOUND(key)			((key) >> 32)

/* settings */
extern int	snn_hnsw_ef_search;
extern int	snn_hnsw_iterative_scan;
extern int	snn_hnsw_max_scan_tuples;
extern double snn_hnsw_scan_mem_multiplier;

/* values of snn.iterative_scan */
#define SNN_HNSW_ITERATIVE_OFF		0
#define SNN_HNSW_ITERATIVE_RELAXED	1
#define SNN_HNSW_ITERATIVE_STRICT	2

/* hnsw.c */
extern int	snn_hnsw_get_m(Relation index);
extern int	snn_hnsw_get_ef_construction(Relation index);
extern int	snn_hnsw_get_metric(Relation index);
extern int	snn_hnsw_get_quantize(Relation index);
extern int	snn_hnsw_get_format(Relation index);
extern void snn_hnsw_init_reloptions(void);

/* hnsw_utils.c */
extern void snn_hnsw_init_page(Buffer buf, Page page);
extern void snn_hnsw_init_meta(Page page, int m, int efc, int metric, int quantize,
							   int format);
extern void snn_hnsw_read_meta(Relation index, SnnHnswMetaPageData *meta);
extern int	snn_hnsw_max_level(int format, int dim, int m);
extern void snn_hnsw_check_dim(int format, int dim, int m);
extern void snn_hnsw_graph_init(SnnHnswGraph *g, Relation index, int dim, int m,
								int metric, int quantize, bool cache_vectors);
extern void snn_hnsw_graph_reset_cache(SnnHnswGraph *g);
extern const uint8 *snn_hnsw_cached_vector(SnnHnswGraph *g, uint64 id, bool *live);
extern int	snn_hnsw_read_neighbors(Relation index, uint64 id, int layer, int m,
									uint64 *out, int cap, int *level);
extern int	snn_hnsw_get_neighbors(Page page, OffsetNumber elemoff, int layer, int m,
								   uint64 *out, int cap);
extern void snn_hnsw_set_neighbors(Page page, OffsetNumber elemoff, int layer, int m,
								   const uint64 *ids, int n);
extern void snn_hnsw_clear_neighbors(Page page, OffsetNumber elemoff, int m);
extern int	snn_hnsw_all_neighbors(Page page, OffsetNumber elemoff, int m, uint64 *out);
extern void snn_hnsw_compact_check_block(Relation index, BlockNumber blk);
extern Spikes *snn_hnsw_check_value(Datum value, int dim);
extern uint64 snn_hnsw_query_distance(int metric, const uint8 *a, const uint8 *b, int dim);
extern uint64 snn_hnsw_dist_query(SnnHnswGraph *g, const uint8 *stored);
extern uint64 snn_hnsw_buffer_dist_query(SnnHnswGraph *g, Buffer buf, uint64 id,
										 bool *live);
extern uint64 snn_hnsw_dist_pair(SnnHnswGraph *g, const uint8 *a, const uint8 *b);

/* hnsw_build.c */
extern IndexBuildResult *snn_hnsw_build(Relation heap, Relation index, IndexInfo *indexInfo);
extern void snn_hnsw_buildempty(Relation index);

/* hnsw_insert.c */
extern bool snn_hnsw_insert(Relation index, Datum *values, bool *isnull,
							ItemPointer heap_tid, Relation heap,
							IndexUniqueCheck checkUnique, bool indexUnchanged,
							IndexInfo *indexInfo);
extern bool snn_hnsw_link(SnnHnswGraph *g, uint64 nb, uint64 new, int lc, bool force,
						  bool building, uint64 *dropped, int *ndropped);
extern void snn_hnsw_insert_value(Relation index, const uint8 *vec, int dim,
								  ItemPointer heap_tid, bool building);
extern SnnHnswElementTuple snn_hnsw_page_element(Relation index, Page page, OffsetNumber off);
extern int	snn_hnsw_count_inlinks(SnnHnswGraph *g, uint64 id, int lc, int enough,
								   uint64 except);

/* hnsw_scan.c */
extern IndexScanDesc snn_hnsw_beginscan(Relation index, int nkeys, int norderbys);
extern void snn_hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys,
							ScanKey orderbys, int norderbys);
extern bool snn_hnsw_gettuple(IndexScanDesc scan, ScanDirection dir);
extern void snn_hnsw_endscan(IndexScanDesc scan);

/* hnsw_vacuum.c */
extern IndexBulkDeleteResult *snn_hnsw_bulkdelete(IndexVacuumInfo *info,
												  IndexBulkDeleteResult *stats,
												  IndexBulkDeleteCallback callback,
												  void *callback_state);
extern IndexBulkDeleteResult *snn_hnsw_vacuumcleanup(IndexVacuumInfo *info,
													 IndexBulkDeleteResult *stats);

#endif							/* SNN_HNSW_H */
