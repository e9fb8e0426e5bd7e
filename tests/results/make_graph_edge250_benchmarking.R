# Graph (hyperbolic) efficiency of graph_edge250.csv with R Benchmarking 0.33:
#   Rscript tests/results/make_graph_edge250_benchmarking.R   (from the repository root)
# Benchmarking's RTS "drs" is our "nirs" (sum lambda <= 1), "irs" is our "ndrs" (>= 1).
suppressMessages(library(Benchmarking))
d <- read.csv("tests/results/graph_edge250.csv", row.names = 1)
X <- as.matrix(d[, c("x1", "x2", "x3")])
Y <- as.matrix(d[, c("y0", "y1")])
g <- function(rts) eff(dea(X, Y, RTS = rts, ORIENTATION = "graph"))
out <- data.frame(unit = rownames(d), vrs = g("vrs"), crs = g("crs"), nirs = g("drs"),
                  ndrs = g("irs"))
write.csv(out, "tests/results/graph_edge250_benchmarking.csv", row.names = FALSE)
