# Reference values for dea.bootstrap and dea.Malmquist from R's Benchmarking 0.33
# (built from /work/rsrc/Benchmarking with lpSolveAPI from /work/rsrc/lpSolveAPI):
#   R_LIBS_USER=/work/rlib/i11 Rscript make_benchmarking_i11.R   (run in tests/results/)
# Inputs:  deap_eg4_panel.csv (DEAP 2.1 example 4), malmq_panel.csv, boot_data.csv
# Outputs: benchmarking_malmq_*.csv, benchmarking_boot_*.csv
suppressMessages(library(Benchmarking))

panel_malmq <- function(p, rts, orient, tag) {
  periods <- sort(unique(p$period))
  out <- NULL
  for (i in seq_len(length(periods) - 1)) {
    a <- p[p$period == periods[i], ]
    b <- p[p$period == periods[i + 1], ]
    xa <- as.matrix(a[, grep("^x", names(a)), drop = FALSE])
    ya <- as.matrix(a[, grep("^y", names(a)), drop = FALSE])
    xb <- as.matrix(b[, grep("^x", names(b)), drop = FALSE])
    yb <- as.matrix(b[, grep("^y", names(b)), drop = FALSE])
    r <- malmq(xa, ya, a$unit, xb, yb, b$unit, RTS = rts, ORIENTATION = orient)
    out <- rbind(out, data.frame(unit = r$id, period = periods[i + 1], m = r$m, tc = r$tc,
                                 ec = r$ec, e00 = r$e00, e01 = r$e01, e10 = r$e10, e11 = r$e11))
  }
  write.csv(out, sprintf("benchmarking_malmq_%s.csv", tag), row.names = FALSE)
}

eg4 <- read.csv("deap_eg4_panel.csv")
for (rts in c("crs", "vrs")) for (o in c("in", "out"))
  panel_malmq(eg4, rts, o, sprintf("eg4_%s_%s", rts, o))
mp <- read.csv("malmq_panel.csv")
for (rts in c("crs", "vrs")) for (o in c("in", "out"))
  panel_malmq(mp, rts, o, sprintf("panel_%s_%s", rts, o))

bd <- read.csv("boot_data.csv")
X <- as.matrix(bd[, c("x1", "x2")]); Y <- as.matrix(bd[, "y", drop = FALSE])
set.seed(20261203)
for (cfg in list(c("vrs", "in"), c("crs", "out"), c("drs", "in"), c("irs", "out"))) {
  txt <- capture.output(b <- dea.boot(X, Y, NREP = 2000, RTS = cfg[1], ORIENTATION = cfg[2],
                                      alpha = 0.05, LP = TRUE))
  h <- as.numeric(sub(".*Bandwidth = *", "", grep("Bandwidth", txt, value = TRUE)))
  write.csv(data.frame(unit = bd$unit, eff = b$eff, eff_bc = b$eff.bc, bias = b$bias,
                       var = b$var, lower = b$conf.int[, 1], upper = b$conf.int[, 2],
                       boot_sd = apply(b$boot, 1, sd), bandwidth = h),
            sprintf("benchmarking_boot_%s_%s.csv", cfg[1], cfg[2]), row.names = FALSE)
}
