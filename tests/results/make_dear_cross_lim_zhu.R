# Reference values for dea.CrossEfficiency(correction=True) (Lim & Zhu 2015 VRS correction)
# from R deaR 1.5.3's cross_efficiency(..., correction = TRUE).
#   Rscript make_dear_cross_lim_zhu.R            (run in tests/results/, deaR 1.5.3 installed)
# Inputs:  doyle_green1994.csv (see make_dear_cross.R) and, written here, lim_zhu_toy.csv
#          (five units, one input, one output; hand-checked in tests/dea/test_cross.py).
# Outputs: dear_cross_<data>_<rts>_io_<method>_lz.csv: long format (rater, rated, value) for
#          data in {dg, toy}, rts in {vrs, nirs, ndrs}, method in {M2_agg, M2_ben, M3_agg,
#          M3_ben}; dear_cross_lz_unbounded.csv: the raters for which deaR warns that the
#          aggressive LP is unbounded (it then caps the weights at 1e10).
suppressMessages(library(deaR))
toy <- data.frame(DMU = c("A", "B", "C", "D", "E"), x = c(1, 2, 4, 4, 5),
                  y = c(1, 3, 4, 2, 3.5))
write.csv(toy, "lim_zhu_toy.csv", row.names = FALSE)
dg <- read.csv("doyle_green1994.csv")
sets <- list(
  dg = suppressWarnings(make_deadata(datadea = dg, dmus = 1, inputs = 6:7, outputs = 2:5)),
  toy = suppressWarnings(make_deadata(datadea = toy, dmus = 1, inputs = 2, outputs = 3))
)
long <- function(mat, tag) {
  out <- data.frame(rater = rep(rownames(mat), times = ncol(mat)),
                    rated = rep(colnames(mat), each = nrow(mat)),
                    value = as.vector(mat))
  write.csv(out, sprintf("dear_cross_%s.csv", tag), row.names = FALSE)
}
unbounded <- data.frame(data = character(), rts = character(), method = character(),
                        unit = character())
for (name in names(sets)) for (rts in c("vrs", "nirs", "ndrs")) {
  r <- withCallingHandlers(
    cross_efficiency(sets[[name]], orientation = "io", rts = rts, selfapp = FALSE,
                     correction = TRUE),
    warning = function(w) {
      msg <- conditionMessage(w)
      hit <- regmatches(msg, regexec("Method (II|III) is unbounded for DMU (.*), bound", msg))[[1]]
      if (length(hit) == 3) {
        unbounded[nrow(unbounded) + 1, ] <<- c(name, rts, ifelse(hit[2] == "II", "M2_agg",
                                                                 "M3_agg"), hit[3])
      }
      invokeRestart("muffleWarning")
    })
  for (m in c("M2_agg", "M2_ben", "M3_agg", "M3_ben")) {
    long(r[[m]]$cross_eff, sprintf("%s_%s_io_%s_lz", name, rts, m))
  }
}
write.csv(unbounded, "dear_cross_lz_unbounded.csv", row.names = FALSE)
