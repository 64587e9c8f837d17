/*
 * index_init.h: the index subsystem's initialisation, called from _PG_init
 * (src/snn.c): the snn_hnsw settings and reloptions, and allocation's own.
 */
#ifndef INDEX_INIT_H
#define INDEX_INIT_H

extern void snn_hnsw_init(void);
extern void snn_allocate_init(void);

#endif							/* INDEX_INIT_H */
