"""What a run measures, decided before anything runs: cases (``case``), the image-throughput
matrix (``matrix``), the overhead probes (``overhead``), pose (``pose``), the cluster path
(``dask``), which of them each command means (``commands``) and the run's settings
(``settings``)."""
