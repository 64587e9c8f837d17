/*
 * snn_train_methods.h: the training methods of a network image behind one
 * entry point: which trainer a method runs, the options it takes, what it
 * needs of the network and the data, and the trained image it returns
 * (updated weights, the trained block in SNN_SEC_NORM, one more history
 * record).  A new method is one entry of the table in snn_train_methods.c:
 * its options, its check and its fit.
 *
 * The caller (src/train/train.c) reads the data and the options (typed and
 * range-checked against the method's option list), calls snn_train_check,
 * whose failures are the user's (wrong network, labels, sizes), then
 * snn_train_run, whose failures come from the learning rules.  Memory comes
 * from the caller's allocator and is never freed here: the caller frees
 * it all at once, also after an error or a cancel.
 *
 * Plain C11, no postgres.h.
 */
#ifndef SNN_TRAIN_METHODS_H
#define SNN_TRAIN_METHODS_H

#include <stddef.h>
#include <stdint.h>

#include "snn_image.h"
#include "snn_learn.h"
#include "snn_status.h"
#include "snn_trained.h"

#define SNN_TRAIN_MAX_OPTIONS	32
#define SNN_TRAIN_MAX_BYTES		((size_t) 1 << 30)	/* samples or states */

/* How an option's value is read. */
typedef enum snn_opt_kind
{
	SNN_OPT_NUMBER,				/* a number in [lo, hi] */
	SNN_OPT_INTEGER,			/* a whole number in [lo, hi] */
	SNN_OPT_BOOL,				/* true or false (value 1 or 0) */
	SNN_OPT_CHOICE				/* one of choices (value: its index) */
} snn_opt_kind;

typedef struct snn_opt_def
{
	const char *name;
	snn_opt_kind kind;
	double		lo;
	double		hi;
	const char *const *choices; /* SNN_OPT_CHOICE: NULL-terminated */
} snn_opt_def;

/* The options given: value[i] is options[i]'s when given[i]. */
typedef struct snn_train_options
{
	unsigned char given[SNN_TRAIN_MAX_OPTIONS];
	double		value[SNN_TRAIN_MAX_OPTIONS];
} snn_train_options;

/* A data set: x[n][dim], with class labels y[n] or targets t[n][k]. */
typedef struct snn_train_data
{
	size_t		n;
	uint32_t	dim;
	const float *x;
	const int32_t *y;			/* NULL without labels */
	uint32_t	k;				/* targets a sample, 0 without */
	const float *t;				/* NULL without targets */
} snn_train_data;

/*
 * size bytes of the caller's memory (zeroed when zero), or NULL when there
 * is none; it may also not return (PostgreSQL raises out of memory), since
 * the engine holds nothing else while it allocates.
 */
typedef void *(*snn_alloc_fn) (void *arg, size_t size, int zero);

struct snn_train_request;

/* What a method needs of the data (snn_train_method.flags). */
#define SNN_TRAIN_NEEDS_LABELS	0x01	/* labels (or targets, if taken) */
#define SNN_TRAIN_TAKES_TARGETS 0x02	/* real targets: regression */

typedef struct snn_train_method
{
	snn_method	method;
	const char *name;
	unsigned	flags;
	const snn_opt_def *options;
	int			n_options;
	snn_status	(*check) (const struct snn_train_request *rq, snn_error *err);
	snn_status	(*fit) (const struct snn_train_request *rq, void **out,
						size_t *size, snn_error *err);
} snn_train_method;

typedef struct snn_train_request
{
	const snn_image *img;		/* the network, untouched */
	const snn_train_method *method;
	snn_train_data data;
	snn_train_options options;
	snn_progress_fn progress;	/* after each epoch, or NULL */
	void	   *progress_arg;
	snn_alloc_fn alloc;
	void	   *alloc_arg;
	size_t		out_header;		/* bytes before the result image */
} snn_train_request;

/* The methods, NULL past the last (for listing them). */
const snn_train_method *snn_train_method_at(int i);

/* The method of a name, or NULL. */
const snn_train_method *snn_train_method_find(const char *name);

/*
 * What the method needs of the network, the data and the options: the
 * errors a user can cause (a wrong kind of network names the field "kind").
 */
snn_status	snn_train_check(const snn_train_request *rq, snn_error *err);

/*
 * Train: checks again, then *out gets out_header + *size bytes, the trained
 * image at *out + out_header (validated).  Fails on the learning rule's
 * errors, SNN_E_CANCELLED when interrupted.
 */
/*
 * The STDP rule's options a trained block keeps for inference (steps, dt,
 * membrane, threshold, rate, winner-take-all; the rest are defaults).
 */
void		snn_trained_stdp_options(const snn_trained *t, snn_stdp_options *o);

snn_status	snn_train_run(const snn_train_request *rq, void **out, size_t *size,
						  snn_error *err);

#endif							/* SNN_TRAIN_METHODS_H */
