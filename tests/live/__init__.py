"""Writers that play a running experiment, started by the live-data tests in processes of their own."""
