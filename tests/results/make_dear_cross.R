# Reference values for dea.CrossEfficiency from R deaR 1.5.3's cross_efficiency().
#   Rscript make_dear_cross.R                    (run in tests/results/, deaR installed), or
#   DEAR_SRC=/path/to/deaR LPSOLVE_LIB=/path/to/lib Rscript make_dear_cross.R
# The second form sources deaR 1.5.3's own R files (make_deadata.R, model_multiplier.R,
# cross_efficiency.R, is.deadata.R, is.dea.R of the CRAN release, repository mirror
# cran/deaR commit e41ed3d "version 1.5.3") with lpSolve 5.6.23 (cran/lpSolve 900e7e7)
# installed in LPSOLVE_LIB; that is how the CSVs here were first made. Re-running the first
# form with the installed deaR 1.5.3 gives byte-identical CSVs.
# Inputs:  doyle_green1994.csv (written here from deaR's data("Doyle_Green_1994"))
# Outputs: dear_cross_<rts>_<orientation>_<method>.csv: long format, one row per (rater,
#          rated) with the matrix entry, plus dear_cross_scores.csv (own scores, e, A,
#          maverick with selfapp = FALSE) and dear_cross_unbounded.csv (the raters whose
#          aggressive LP deaR reports as unbounded).
src <- Sys.getenv("DEAR_SRC")
if (nzchar(src)) {
  lib <- Sys.getenv("LPSOLVE_LIB")
  if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
  suppressMessages(library(lpSolve))
  for (f in c("make_deadata.R", "model_multiplier.R", "cross_efficiency.R",
              "is.deadata.R", "is.dea.R")) source(file.path(src, "R", f))
  load(file.path(src, "data", "Doyle_Green_1994.RData"))
} else {
  suppressMessages(library(deaR))
  data("Doyle_Green_1994")
}
dg <- Doyle_Green_1994
write.csv(dg, "doyle_green1994.csv", row.names = FALSE)
d <- suppressWarnings(make_deadata(datadea = dg, dmus = 1, inputs = 6:7, outputs = 2:5))

long <- function(mat, tag) {
  out <- data.frame(rater = rep(rownames(mat), times = ncol(mat)),
                    rated = rep(colnames(mat), each = nrow(mat)),
                    value = as.vector(mat))
  write.csv(out, sprintf("dear_cross_%s.csv", tag), row.names = FALSE)
}
scores <- NULL
unbounded <- data.frame(rts = character(), orientation = character(), method = character(),
                        unit = character())
for (rts in c("crs", "vrs")) for (o in c("io", "oo")) {
  # deaR warns "Agressive Method II/III is unbounded for DMU <name>, bound constraint added"
  r <- withCallingHandlers(
    cross_efficiency(d, orientation = o, rts = rts, selfapp = FALSE),
    warning = function(w) {
      msg <- conditionMessage(w)
      hit <- regmatches(msg, regexec("Method (II|III) is unbounded for DMU (.*), bound", msg))[[1]]
      if (length(hit) == 3) {
        unbounded[nrow(unbounded) + 1, ] <<- c(rts, o, ifelse(hit[2] == "II", "M2_agg",
                                                              "M3_agg"), hit[3])
      }
      invokeRestart("muffleWarning")
    })
  for (m in c("M2_agg", "M2_ben", "M3_agg", "M3_ben")) {
    long(r[[m]]$cross_eff, sprintf("%s_%s_%s", rts, o, m))
    scores <- rbind(scores, data.frame(rts = rts, orientation = o, method = m,
                                       unit = names(r[[m]]$e), eff = r$Arbitrary$efficiency,
                                       e = r[[m]]$e, A = r[[m]]$A,
                                       maverick = r[[m]]$maverick))
  }
}
write.csv(scores, "dear_cross_scores.csv", row.names = FALSE)
write.csv(unbounded, "dear_cross_unbounded.csv", row.names = FALSE)
