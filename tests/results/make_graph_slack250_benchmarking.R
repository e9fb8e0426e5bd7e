# Graph (hyperbolic) efficiency and phase-2 slacks of graph_slack250.csv with R Benchmarking 0.33:
#   Rscript tests/results/make_graph_slack250_benchmarking.R   (from the repository root)
# Benchmarking's RTS "drs" is our "nirs" (sum lambda <= 1).
suppressMessages(library(Benchmarking))
d <- read.csv("tests/results/graph_slack250.csv", row.names = 1)
X <- as.matrix(d[, "x", drop = FALSE])
Y <- as.matrix(d[, "y", drop = FALSE])
one <- function(rts, tag) {
  e <- dea(X, Y, RTS = rts, ORIENTATION = "graph", SLACK = TRUE)
  out <- data.frame(e$eff, e$sx, e$sy)
  names(out) <- paste0(tag, c("_score", "_slack_x", "_slack_y"))
  out
}
out <- data.frame(unit = rownames(d), one("vrs", "vrs"), one("drs", "nirs"), one("crs", "crs"))
write.csv(out, "tests/results/graph_slack250_benchmarking.csv", row.names = FALSE)
