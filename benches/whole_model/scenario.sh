#!/usr/bin/env bash
# Prints a generated scenario of N populations with every instrument on (messaging,
# exchanges, propaganda, a story with misinformation, fact-checking and prebunking,
# a scandal and a crisis, diplomacy between states with home publics), default model.
#     benches/whole_model/scenario.sh N [fj]
# With "fj" as second argument: the same populations and graph, no actor spends, no story,
# no event: the Friedkin-Johnsen-only tick on the same graph.
# The graph is a three-country stochastic block model with mean degree about 10 inside a
# country and about 1 across (the structure of scenarios/war_of_ideas.toml).
set -euo pipefail
n=${1:?usage: scenario.sh N [fj]}
mode=${2:-all}
b0=$((n * 2 / 5)); b1=$((n * 2 / 5)); b2=$((n - b0 - b1))
p_in=$(awk -v n="$n" 'BEGIN { printf "%.3e", 25 / n }')
p_out=$(awk -v n="$n" 'BEGIN { printf "%.3e", 1 / n }')
cat <<TOML
[scenario]
name = "whole_model_${n}_${mode}"
seed = 7
ticks = 20
focal_actor = "valoria"

[[actor]]
id = "valoria"
budget = 10
credibility = 0.7
values = [0.4, 0.6, 0.2]

[[actor]]
id = "kestria"
budget = 10
credibility = 0.65
values = [0.3, 0.4, 0.1]

[[actor]]
id = "dunmere"
budget = 0
values = [0.2, 0.1, 0.0]

[[actor]]
id = "vanguard"
kind = "extremist"
budget = 10
credibility = 0.5
values = [-0.4, -0.8, -0.7]

[[relation]]
between = ["valoria", "kestria"]
kind = "alliance"

[[relation]]
between = ["valoria", "dunmere"]
kind = "neutral"

[[generate]]
prefix = "youth"
count = $n
graph = { model = "stochastic_block", blocks = [$b0, $b1, $b2], p_in = $p_in, p_out = $p_out }
block_homes = ["kestria", "dunmere", "valoria"]
size = { dist = "log_normal", median = 15000, sigma = 0.7 }
internet = { dist = "uniform", min = 0.85, max = 0.99 }
media_literacy = { dist = "beta", alpha = 2.5, beta = 4.0 }
stubbornness = { dist = "uniform", min = 0.02, max = 0.08 }
values = [{ dist = "normal", mean = 0.2, sd = 0.3 }]

[generate.opinion.valoria]
familiarity = { dist = "uniform", min = 0.3, max = 0.6 }
trust = { dist = "normal", mean = 0.45, sd = 0.08 }
attitude = [{ dist = "normal", mean = 0.1, sd = 0.1 }]

[generate.opinion.vanguard]
familiarity = { dist = "uniform", min = 0.1, max = 0.3 }
trust = { dist = "uniform", min = 0.2, max = 0.4 }
attitude = [{ dist = "normal", mean = -0.15, sd = 0.1 }]
TOML
[ "$mode" = fj ] && exit 0
cat <<TOML

[[story]]
id = "grain_plot"
about = "valoria"
transmissibility = 0.4
plausibility = 0.5
verify = 0.05
forget = 0.04
harm = 0.1

[[campaign]]
id = "vanguard_seed_story"
actor = "vanguard"
instrument = "misinformation"
story = "grain_plot"
targets = ["group:youth"]
start = 2
spend = 0.5

[[campaign]]
id = "vanguard_propaganda"
actor = "vanguard"
instrument = "propaganda"
against = "valoria"
targets = ["group:youth"]
start = 1
spend = 0.3

[[campaign]]
id = "vanguard_recruitment"
actor = "vanguard"
instrument = "messaging"
targets = ["group:youth"]
start = 1
spend = 0.2

[[campaign]]
id = "valoria_prebunk"
actor = "valoria"
instrument = "prebunk"
story = "grain_plot"
targets = ["group:youth"]
spend = 0.5

[[campaign]]
id = "kestria_fact_check"
actor = "kestria"
instrument = "fact_check"
story = "grain_plot"
targets = ["home:kestria"]
start = 4
spend = 0.4

[[campaign]]
id = "valoria_fact_check"
actor = "valoria"
instrument = "fact_check"
story = "grain_plot"
targets = ["home:dunmere", "home:valoria"]
start = 4
spend = 0.5

[[campaign]]
id = "valoria_counter_messaging"
actor = "valoria"
instrument = "messaging"
targets = ["home:kestria", "home:dunmere"]
start = 5
spend = 0.3

[[campaign]]
id = "valoria_youth_exchange"
actor = "valoria"
instrument = "exchange"
targets = ["home:kestria", "home:dunmere"]
spend = 0.5

[[event]]
kind = "scandal"
tick = 8
actor = "vanguard"
severity = 0.3

[[event]]
kind = "crisis"
tick = 6
dimension = "foreign_policy"
boost = 0.5
duration = 5
TOML
