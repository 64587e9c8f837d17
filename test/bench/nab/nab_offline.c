/*
 * nab_offline.c: runs the engine's anomaly detector over every NAB data file
 * (one stream per file, rows in file order, one fresh detector each, the
 * same parameters for all files) and writes NAB result CSVs
 * (timestamp,value,anomaly_score) under an output directory.
 *
 *   nab_offline DATA_DIR OUT_DIR [preset=NAME] [seed=N] [field=value ...]
 *
 * Prints the files, rows and the engine time per event.  Scoring is done by
 * nab_offline.sh with ../shared/nab/score.py.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "snn_detector.h"

static snn_detector_config cfg;
static uint64_t seed = 42;
static double engine_seconds = 0.0;
static long total_rows = 0;
static int	total_files = 0;
static int	detail = 0;			/* SNN_NAB_DETAIL=1: also write the details */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long
days_from_civil(long y, long m, long d)
{
	long		era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS" as microseconds since the epoch (naive = UTC). */
static int
parse_ts(const char *s, int64_t *out)
{
	int			y,
				mo,
				d,
				h,
				mi,
				se;

	if (sscanf(s, "%d-%d-%d%*[ T]%d:%d:%d", &y, &mo, &d, &h, &mi, &se) != 6)
		return -1;
	*out = ((int64_t) days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se)
		* 1000000LL;
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
mkdirs(const char *path)
{
	char		tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/')
		{
			*p = 0;
			mkdir(tmp, 0777);
			*p = '/';
		}
	mkdir(tmp, 0777);
}

/* Run one file through a fresh detector. */
static int
run_file(const char *in, const char *out)
{
	FILE	   *fi = fopen(in, "r"),
			   *fo;
	char		line[1024];
	size_t		ssize = snn_detector_state_size(&cfg);
	void	   *state = aligned_alloc(64, (ssize + 63) & ~(size_t) 63);
	snn_error	err;
	long		row = 0;

	if (fi == NULL || state == NULL)
	{
		fprintf(stderr, "cannot open %s\n", in);
		return -1;
	}
	fo = fopen(out, "w");
	if (fo == NULL)
	{
		fprintf(stderr, "cannot write %s: %s\n", out, strerror(errno));
		return -1;
	}
	if (snn_detector_init(&cfg, state, ssize, seed, &err) != SNN_OK)
	{
		fprintf(stderr, "init: %s\n", err.msg);
		return -1;
	}
	fprintf(fo, detail ? "timestamp,value,anomaly_score,likelihood,error,novelty,spikes,cause\n" :
			"timestamp,value,anomaly_score\n");
	if (fgets(line, sizeof(line), fi) == NULL)	/* header */
		return -1;
	while (fgets(line, sizeof(line), fi))
	{
		char	   *comma = strchr(line, ',');
		double		v,
					score;
		int64_t		ts;
		double		t0;
		snn_detector_detail det;

		if (comma == NULL)
			continue;
		*comma = 0;
		v = strtod(comma + 1, NULL);
		if (parse_ts(line, &ts) != 0)
		{
			fprintf(stderr, "%s: bad timestamp \"%s\"\n", in, line);
			return -1;
		}
		t0 = now();
		if (snn_detector_step(&cfg, state, &v, 1, ts, &score, &det, &err) != SNN_OK)
		{
			fprintf(stderr, "%s row %ld: %s\n", in, row + 1, err.msg);
			return -1;
		}
		engine_seconds += now() - t0;
		comma[1 + strcspn(comma + 1, "\r\n")] = 0;
		if (detail)
			fprintf(fo, "%s,%s,%.17g,%.6f,%.6f,%.6f,%d,%d\n", line, comma + 1, score,
					det.likelihood, det.prediction_error, det.novelty, det.n_spikes,
					det.cause);
		else
			fprintf(fo, "%s,%s,%.17g\n", line, comma + 1, score);
		row++;
	}
	fclose(fi);
	fclose(fo);
	free(state);
	total_rows += row;
	total_files++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every category directory, every CSV in it, sorted for a stable order. */
static int
run_all(const char *data, const char *outdir)
{
	DIR		   *d = opendir(data);
	struct dirent *e;
	char	   *cats[256];
	int			nc = 0;

	if (d == NULL)
	{
		fprintf(stderr, "cannot open %s\n", data);
		return -1;
	}
	while ((e = readdir(d)) != NULL && nc < 256)
		if (e->d_name[0] != '.')
			cats[nc++] = strdup(e->d_name);
	closedir(d);
	qsort(cats, nc, sizeof(char *), cmp_str);
	for (int c = 0; c < nc; c++)
	{
		char		dir[4096];
		char	   *files[1024];
		int			nf = 0;

		snprintf(dir, sizeof(dir), "%s/%s", data, cats[c]);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL && nf < 1024)
			if (strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".csv") == 0)
				files[nf++] = strdup(e->d_name);
		closedir(d);
		qsort(files, nf, sizeof(char *), cmp_str);
		for (int f = 0; f < nf; f++)
		{
			char		in[8192],
						od[8192],
						out[16384];

			snprintf(in, sizeof(in), "%s/%s", dir, files[f]);
			snprintf(od, sizeof(od), "%s/%s", outdir, cats[c]);
			mkdirs(od);
			snprintf(out, sizeof(out), "%s/%s", od, files[f]);
			if (run_file(in, out) != 0)
				return -1;
			free(files[f]);
		}
		free(cats[c]);
	}
	return 0;
}

/*
 * The alarm stage's threshold, in OUT_DIR/alarm_threshold: nab_loco.py scores
 * the detector's own alarms (the rows scored at or over it) as well as NAB's
 * threshold sweep.
 */
static int
write_threshold(const char *outdir)
{
	char		path[8192];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/alarm_threshold", outdir);
	if ((f = fopen(path, "w")) == NULL)
	{
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%.17g\n", cfg.score_threshold);
	return fclose(f) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	snn_error	err;
	int			preset = SNN_PRESET_GENERIC;

	if (argc < 3)
	{
		fprintf(stderr, "usage: %s DATA_DIR OUT_DIR [preset=NAME] [seed=N] [field=value ...]\n", argv[0]);
		return 2;
	}
	detail = getenv("SNN_NAB_DETAIL") != NULL;
	for (int i = 3; i < argc; i++)
		if (strncmp(argv[i], "preset=", 7) == 0)
		{
			preset = snn_detector_preset_from_name(argv[i] + 7);
			if (preset < 0)
			{
				fprintf(stderr, "unknown preset %s\n", argv[i] + 7);
				return 2;
			}
		}
	snn_detector_config_default(preset, &cfg, NULL);
	for (int i = 3; i < argc; i++)
	{
		char		name[128];
		char	   *eq = strchr(argv[i], '=');

		if (eq == NULL || eq - argv[i] >= (long) sizeof(name))
		{
			fprintf(stderr, "bad argument %s (want field=value)\n", argv[i]);
			return 2;
		}
		memcpy(name, argv[i], eq - argv[i]);
		name[eq - argv[i]] = 0;
		if (strcmp(name, "preset") == 0)
			continue;
		if (strcmp(name, "seed") == 0)
		{
			seed = strtoull(eq + 1, NULL, 10);
			continue;
		}
		if (snn_detector_config_set(&cfg, name, strtod(eq + 1, NULL), &err) != SNN_OK)
		{
			fprintf(stderr, "%s\n", err.msg);
			return 2;
		}
	}
	if (snn_detector_validate(&cfg, &err) != SNN_OK)
	{
		fprintf(stderr, "invalid configuration: %s\n", err.msg);
		return 2;
	}
	if (run_all(argv[1], argv[2]) != 0)
		return 1;
	if (write_threshold(argv[2]) != 0)
		return 1;
	printf("detector: preset %s, %zu bytes of state a stream, %d files, %ld events, "
		   "%.2f us an event (engine only)\n",
		   snn_detector_preset_name(cfg.preset), snn_detector_state_size(&cfg),
		   total_files, total_rows, engine_seconds * 1e6 / (total_rows ? total_rows : 1));
	return 0;
}
