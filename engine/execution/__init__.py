"""Execution: batches of replications run in this process, in worker processes or on Dask,
streamed in replication order to a writer (memory or a crash-safe HDF5 file).

It knows no model: a scenario kind hands it picklable tasks and a batch function.
"""
