# Reference values for weight restrictions (assurance regions) in dea.Radial, from R's
# Benchmarking 0.33, dea.dual(X, Y, RTS=, ORIENTATION=, DUAL=):
#   Rscript make_benchmarking_restrictions.R   (run in tests/results/)
# Input:  pft1981.csv (Program Follow Through, 70 sites, x1..x5, y1..y3)
# Output: benchmarking_restrictions.csv (one row per site and case: eff, v1..v5, u1..u3)
# DUAL (Benchmarking's convention): one row per input 2..m then output 2..s, columns
# (lower, upper) of the ratio of that weight to the FIRST input's (output's) weight:
#   L <= v_i / v_1 <= U,  L <= u_r / u_1 <= U.
# eff: theta (in) or the Farrell output efficiency phi >= 1 (out); v1..v5 are the input
# weights (Benchmarking's r$u), u1..u3 the output weights (its r$v).
suppressMessages(library(Benchmarking))
stopifnot(as.character(packageVersion("Benchmarking")) == "0.33")
d <- read.csv("pft1981.csv")
X <- as.matrix(d[, c("x1", "x2", "x3", "x4", "x5")])
Y <- as.matrix(d[, c("y1", "y2", "y3")])
# bounds chosen so that many of them bind (weights relative to x1 / y1)
duals <- list(
  ar1 = rbind(c(0.5, 2), c(0.2, 5), c(0.2, 5), c(1, 20), c(0.5, 2), c(0.5, 2)),
  ar2 = rbind(c(1, 1.5), c(0.1, 1), c(0.5, 3), c(5, 10), c(0.8, 1.25), c(0.2, 0.6))
)
out <- NULL
for (case in names(duals)) for (rts in c("crs", "vrs")) for (o in c("in", "out")) {
  r <- dea.dual(X, Y, RTS = rts, ORIENTATION = o, DUAL = duals[[case]])
  # Benchmarking names the input weights u and the output weights v
  v <- matrix(r$u, nrow(X)); u <- matrix(r$v, nrow(X))
  out <- rbind(out, data.frame(school = d$school, case = case, rts = rts, orientation = o,
                               eff = r$eff, v1 = v[, 1], v2 = v[, 2], v3 = v[, 3],
                               v4 = v[, 4], v5 = v[, 5], u1 = u[, 1], u2 = u[, 2],
                               u3 = u[, 3]))
}
write.csv(out, "benchmarking_restrictions.csv", row.names = FALSE)
