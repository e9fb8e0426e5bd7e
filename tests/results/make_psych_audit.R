# Reference values for tests/weighting/test_audit.py: Cronbach's alpha and KMO from R psych.
# Run from this folder:  Rscript make_psych_audit.R
# Inputs: tai_oecd2008.csv (OECD/JRC 2008 Technology Achievement Index, 23 countries x 8)
#         audit_items.csv  (50 units x 5 items, written by numpy with seed 15; see README)
# Outputs: psych_alpha_<name>.csv (one row per item: raw_alpha and std.alpha if the item is
#          dropped, r.drop; first row "total": raw_alpha and std.alpha of the whole set)
#          psych_kmo_<name>.csv (first row "overall": MSA; then MSAi per item)
suppressPackageStartupMessages(library(psych))
for (name in c("tai_oecd2008", "audit_items")) {
  x <- read.csv(paste0(name, ".csv"), row.names = 1, check.names = FALSE)
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  out <- data.frame(
    item = c("total", rownames(a$alpha.drop)),
    raw_alpha = c(a$total$raw_alpha, a$alpha.drop$raw_alpha),
    std_alpha = c(a$total$std.alpha, a$alpha.drop$std.alpha),
    r_drop = c(NA, a$item.stats$r.drop)
  )
  write.csv(out, paste0("psych_alpha_", name, ".csv"), row.names = FALSE)
  k <- psych::KMO(cor(x))
  kout <- data.frame(item = c("overall", names(k$MSAi)), msa = c(k$MSA, unname(k$MSAi)))
  write.csv(kout, paste0("psych_kmo_", name, ".csv"), row.names = FALSE)
}
cat("psych", as.character(packageVersion("psych")), "\n")
