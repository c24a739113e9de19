"""Asset groups. A group is a unit of scheduling: each job selects whole groups (pipelines/jobs.py), so a new asset
joins the job of its group and nothing else. The comment says which jobs run the group."""

MASTERDATA = "masterdata"  # units and the procedure catalogue: masterdata_refresh, daily_tthc
TTHC = "tthc"  # the day's dossier exports and current states (daily partitions): daily_tthc
QD766_SOURCES = "qd766_sources"  # portal snapshots, petitions, publication register: qd766_sources, daily_tthc
TASK_PLAN = "task_plan"  # the department's offices and plan registers (unpartitioned): daily_tthc
QUALITY = "quality"  # the data-quality workbook: daily_tthc (and task_progress, yearly_indices, after their loaders)
PUBLISH = "publish"  # the analysts' snapshot and the web publication: daily_tthc (and yearly_indices, which republishes them)
PORTAL_CAPTURE = "portal_capture"  # calls the national portal over the Internet: portal_capture only
QD766_MONTHLY = "qd766_monthly"  # month partitions: qd766_monthly
QD766_QUARTERLY = "qd766_quarterly"  # quarter partitions: qd766_quarterly
TASK_PROGRESS = "task_progress"  # progress reports, task status, report workbook (quarters): task_progress
QD766 = "qd766"  # the year to date and the index workbook: yearly_indices
PAR = "par"  # PAR inputs, scorecards, workbook: yearly_indices
DTI = "dti"  # DTI inputs, scorecards, workbook: yearly_indices
ASSESSMENT_FORMS = "assessment_forms"  # blank PAR and DTI self-assessment forms: par_blank_forms_yearly
NATIONAL = "national"  # every province's QĐ 766 from the national dossier versions (province × year partitions): national_index
NATIONAL_VIEWS = "national_views"  # national.duckdb: views and the roll-up over the national Parquet: national_views
