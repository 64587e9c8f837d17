/*
 * train.h: training and inference on snn values (PostgreSQL side).
 */
#ifndef SNN_TRAIN_H
#define SNN_TRAIN_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#include "network.h"
#include "snn_learn.h"
#include "snn_trained.h"

/* A data set read from SQL arrays or a query. */
typedef struct SnnDataSet
{
	int			n;				/* samples */
	int			dim;			/* features a sample */
	float	   *x;				/* [n][dim] */
	int32	   *y;				/* [n] labels, or NULL */
	int			k;				/* targets a sample (regression), else 0 */
	float	   *t;				/* [n][k] targets, or NULL */
} SnnDataSet;

/* Rows of a float4[][] (or float8[][]) array; errors on NULLs and shape. */
extern void snn_read_matrix(ArrayType *a, const char *what, float **out,
							int *rows, int *cols);

/* A float4[] / float8[] feature vector of exactly dim finite values. */
extern float *snn_read_features(ArrayType *a, int dim, float *buf);

/*
 * Epoch progress of a training in this backend: the runtime sets the hook
 * while it trains a live network, to show it in pg_stat_snn_networks.
 */
typedef void (*snn_train_progress_hook_type) (uint32 epoch, uint32 epochs, double loss);
extern PGDLLIMPORT snn_train_progress_hook_type snn_train_progress_hook;

/* Train net on data with a method and jsonb options; returns a new value. */
extern SnnNetwork *snn_train_network(SnnNetwork *net, SnnDataSet *data,
									 const char *method, Jsonb *options);

/* The value-level entry points the runtime calls directly (runtime_ops.c). */
extern Datum snn_train(PG_FUNCTION_ARGS);
extern Datum snn_train_query(PG_FUNCTION_ARGS);
extern Datum snn_infer(PG_FUNCTION_ARGS);
extern Datum snn_predict(PG_FUNCTION_ARGS);

#endif							/* SNN_TRAIN_H */
