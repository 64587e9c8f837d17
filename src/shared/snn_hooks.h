/*
 * snn_hooks.h: the one place the extension hooks into the server.
 *
 * _PG_init (src/snn.c) calls snn_shared_init first, then each subsystem's
 * init; a subsystem that keeps shared memory or watches drops registers
 * its callbacks here instead of chaining PostgreSQL's hooks itself, so the
 * hooks are installed once and every subsystem depends on this layer only.
 */
#ifndef SNN_HOOKS_H
#define SNN_HOOKS_H

#include "postgres.h"

#include "catalog/objectaccess.h"

/* Called from shmem_request_hook and shmem_startup_hook, in order. */
typedef void (*snn_shmem_fn) (void);

/* Called from object_access_hook, in order. */
typedef void (*snn_object_access_fn) (ObjectAccessType access, Oid classId,
									  Oid objectId, int subId, void *arg);

/* Once per process, first thing in _PG_init. */
extern void snn_shared_init(void);

/*
 * Shared memory of a subsystem: request reserves it (RequestAddinShmemSpace,
 * named LWLock tranches), startup creates or attaches it.  Only while the
 * library is preloaded (from the subsystem's init).
 */
extern void snn_shmem_register(snn_shmem_fn request, snn_shmem_fn startup);

/* A drop (or other object access) watcher; only while preloaded. */
extern void snn_object_access_register(snn_object_access_fn fn);

#endif							/* SNN_HOOKS_H */
