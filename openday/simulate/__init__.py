"""`openday simulate`: a realistic Open Day generated from a plan and a seed, driven
through the real system, with its ground truth and a check of the central totals."""
