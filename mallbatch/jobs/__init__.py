"""Work as procrastinate jobs when the store is PostgreSQL (issue 15).

``mallbatch watch`` on a PostgreSQL store only enqueues (:mod:`mallbatch.jobs.enqueue`);
``mallbatch worker`` runs the jobs (:mod:`mallbatch.jobs.worker`), any number of them on any
machine that reaches the database. The job bodies (:mod:`mallbatch.jobs.tasks`) call the same
pipeline code the watcher and the CLI call. An agency serves many seller workspaces at once
(:mod:`mallbatch.jobs.sellers`); a job names its seller by folder name, never by path.
"""
