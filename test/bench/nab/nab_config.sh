# The NAB configuration, one for every file and for both drivers (sourced by
# nab_offline.sh, nab_sql.sh and nab_sql_check.sh): the engine's defaults
# with an ensemble of five reservoirs (reservoir.ensemble, res_ensemble).
# SNN_NAB_ENSEMBLE=1 scores the engine's plain defaults.
NAB_ENSEMBLE=${SNN_NAB_ENSEMBLE:-5}
NAB_OFFLINE_ARGS=("res_ensemble=$NAB_ENSEMBLE")
NAB_SQL_CONFIG="{\"reservoir\": {\"ensemble\": $NAB_ENSEMBLE}}"
