# Reference values for dea.Additive, dea.SBM (with super-SBM) and dea.DDF from R's deaR 1.5.3
# (model_additive, model_sbmeff, model_sbmsupereff, model_dir) and Benchmarking 0.33 (dea.add,
# dea.direct).  Run in tests/results/:   Rscript make_deaR_i10.R
# Inputs:  tone2001.csv (Tone 2001 example, as shipped in deaR's data/Tone2001.RData),
#          fls11.csv, pft1981.csv
# Outputs: deaR_i10_sbm.csv, deaR_i10_additive.csv, deaR_i10_dir.csv, benchmarking_i10.csv
# (long format: dataset, unit, model settings, value; NA where the LP is infeasible).
# Benchmarking also exports efficiencies(), so deaR's is called as deaR::efficiencies.
suppressMessages({library(deaR); library(Benchmarking)})
stopifnot(packageVersion("deaR") == "1.5.3", packageVersion("Benchmarking") == "0.33")

sets <- list(
  tone2001 = list(file = "tone2001.csv", x = c("x1", "x2"), y = c("y1", "y2")),
  fls11 = list(file = "fls11.csv", x = c("x1", "x2"), y = c("y")),
  pft1981 = list(file = "pft1981.csv", x = paste0("x", 1:5), y = paste0("y", 1:3))
)
rtss <- c("crs", "vrs", "nirs", "ndrs")
sbm <- NULL; add <- NULL; dir <- NULL; bm <- NULL
for (name in names(sets)) {
  s <- sets[[name]]
  d <- read.csv(s$file, check.names = FALSE)
  units <- as.character(d[[1]])
  dd <- data.frame(DMU = units, d[, c(s$x, s$y)], check.names = FALSE)
  dea_data <- make_deadata(dd, dmus = 1, inputs = 1 + seq_along(s$x),
                           outputs = 1 + length(s$x) + seq_along(s$y))
  X <- as.matrix(d[, s$x]); Y <- as.matrix(d[, s$y, drop = FALSE])
  for (rts in rtss) {
    for (o in c("no", "io", "oo")) {
      e <- deaR::efficiencies(model_sbmeff(dea_data, orientation = o, rts = rts))
      sbm <- rbind(sbm, data.frame(dataset = name, unit = units, orientation = o, rts = rts,
                                   super = 0, value = as.numeric(e)))
      e <- suppressWarnings(deaR::efficiencies(model_sbmsupereff(dea_data, orientation = o,
                                                           rts = rts)))
      sbm <- rbind(sbm, data.frame(dataset = name, unit = units, orientation = o, rts = rts,
                                   super = 1, value = as.numeric(e)))
    }
    ni <- length(s$x); no <- length(s$y)
    rng_i <- apply(X, 2, function(v) max(v) - min(v))
    rng_o <- apply(Y, 2, function(v) max(v) - min(v))
    ws <- list(ones = list(1, 1),
               ram = list(1 / ((ni + no) * rng_i), 1 / ((ni + no) * rng_o)),
               mip = list(1 / t(X), 1 / t(Y)))
    for (w in names(ws)) {
      e <- deaR::efficiencies(model_additive(dea_data, rts = rts, weight_slack_i = ws[[w]][[1]],
                                       weight_slack_o = ws[[w]][[2]]))
      add <- rbind(add, data.frame(dataset = name, unit = units, rts = rts, weights = w,
                                   value = as.numeric(e)))
    }
    dirs <- list(observed = list(NULL, NULL), inputs = list(NULL, 0),
                 outputs = list(0, NULL), unit = list(1, 1))
    for (g in names(dirs)) {
      args <- list(dea_data, rts = rts)
      if (!is.null(dirs[[g]][[1]])) args$dir_input <- dirs[[g]][[1]]
      if (!is.null(dirs[[g]][[2]])) args$dir_output <- dirs[[g]][[2]]
      r <- do.call(model_dir, args)  # efficiencies() would give rho; beta is the DDF
      e <- vapply(r$DMU, function(z) if (is.null(z$beta)) NA_real_ else z$beta, 0)
      dir <- rbind(dir, data.frame(dataset = name, unit = units, rts = rts, direction = g,
                                   value = as.numeric(e)))
    }
    brts <- c(crs = "crs", vrs = "vrs", nirs = "drs", ndrs = "irs")[[rts]]
    a <- dea.add(X, Y, RTS = brts)
    bm <- rbind(bm, data.frame(dataset = name, unit = units, rts = rts, model = "dea.add",
                               setting = "ones", value = a$sum))
    for (g in c("observed", "unit")) {
      D <- if (g == "observed") cbind(X, Y) else matrix(1, nrow(X), ncol(X) + ncol(Y))
      b <- dea.direct(X, Y, DIRECT = D, RTS = brts, ORIENTATION = "in-out")
      bm <- rbind(bm, data.frame(dataset = name, unit = units, rts = rts, model = "dea.direct",
                                 setting = g, value = b$objval))
    }
  }
}
write.csv(sbm, "deaR_i10_sbm.csv", row.names = FALSE)
write.csv(add, "deaR_i10_additive.csv", row.names = FALSE)
write.csv(dir, "deaR_i10_dir.csv", row.names = FALSE)
write.csv(bm, "benchmarking_i10.csv", row.names = FALSE)
