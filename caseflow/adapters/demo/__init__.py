"""``caseflow demo``: a real-looking town built and run through the services, and the
city-scale data set the benchmarks use."""
