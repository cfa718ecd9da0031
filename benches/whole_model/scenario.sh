#!/usr/bin/env bash
# Prints a generated scenario of N generated populations (plus three elites) with every
# instrument and mechanism on: messaging, exchanges, propaganda, a story with
# misinformation, fact-checking and prebunking, a scandal and a crisis, diplomacy between
# states with home publics and elites; listening (a poll and online listening) read by
# adaptive rules (shift and stop); word of mouth, reactance, negativity bias, durable
# messaging and fading durable gains, source-aware corrections and attribution of the
# story (traced stories), opinion leaders (elites heard more, listening less, one-way
# ties to the publics); net favourable is recorded every tick.
#     benches/whole_model/scenario.sh N [fj]
# With "fj" as second argument: the same populations and graph, no actor spends, no story,
# no event, word of mouth and negativity bias off: the Friedkin-Johnsen-only tick on the
# same graph.
# The graph is a three-country stochastic block model with mean degree about 10 inside a
# country and about 1 across (the structure of scenarios/war_of_ideas.toml); each
# country's elite has 20 one-way ties to its publics, two-way ties to the other elites.
set -euo pipefail
n=${1:?usage: scenario.sh N [fj]}
mode=${2:-all}
b0=$((n * 2 / 5)); b1=$((n * 2 / 5)); b2=$((n - b0 - b1))
p_in=$(awk -v n="$n" 'BEGIN { printf "%.3e", 25 / n }')
p_out=$(awk -v n="$n" 'BEGIN { printf "%.3e", 1 / n }')
if [ "$mode" = fj ]; then wom=0; bias=0; else wom=0.1; bias=0.5; fi
cat <<TOML
[model]
word_of_mouth = $wom
negativity_bias = $bias

[model.messaging]
reactance = true
durable_share = 0.2

[model.exchange]
durable_decay = 0.02

[model.misinformation]
source_weight = 1.0
attribution_rate = 0.05

[model.monitoring]
spread = 0.5
outrage_weight = 3

[model.voice]
elite = 3

[model.listening]
elite = 0.5

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
# Opinion leaders: one elite per country, heard one way by 20 of its publics spread over
# its block, and in two-way ties with the other elites.
homes=(kestria dunmere valoria)
first=(0 "$b0" $((b0 + b1)))
count=("$b0" "$b1" "$b2")
for i in 0 1 2; do
  printf '\n[[population]]\nid = "%s_elite"\nsize = 2000\nhome = "%s"\nclass = "elite"\nmedia_literacy = 0.8\n' \
    "${homes[$i]}" "${homes[$i]}"
done
for i in 0 1 2; do
  step=$(( count[i] / 20 > 0 ? count[i] / 20 : 1 ))
  for j in $(seq 0 19); do
    [ $((j * step)) -lt "${count[$i]}" ] || break
    printf '\n[[tie]]\nbetween = ["%s_elite", "youth_%d"]\ndirection = "one_way"\n' \
      "${homes[$i]}" $(( first[i] + j * step ))
  done
done
printf '\n[[tie]]\nbetween = ["kestria_elite", "dunmere_elite"]\n'
printf '\n[[tie]]\nbetween = ["dunmere_elite", "valoria_elite"]\n'
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
id = "kestria_online_listening"
actor = "kestria"
instrument = "listening"
channel = "digital"
targets = ["home:kestria"]
metrics = ["believing"]
story = "grain_plot"
spend = 1

[[campaign]]
id = "kestria_fact_check"
actor = "kestria"
instrument = "fact_check"
story = "grain_plot"
targets = ["home:kestria"]
start = 10
spend = 0.4
[campaign.adapt]
listener = "kestria_online_listening"
metric = "believing"
direction = "below"
rules = ["stop"]
target = 0.0005

[[campaign]]
id = "valoria_fact_check"
actor = "valoria"
instrument = "fact_check"
story = "grain_plot"
targets = ["home:dunmere", "home:valoria"]
start = 4
spend = 0.5

[[campaign]]
id = "valoria_polls"
actor = "valoria"
instrument = "listening"
channel = "broadcast"
targets = ["home:kestria", "home:dunmere"]
metrics = ["favourability"]
spend = 0.05

[[campaign]]
id = "valoria_counter_messaging"
actor = "valoria"
instrument = "messaging"
targets = ["home:kestria", "home:dunmere"]
start = 5
spend = 0.3
[campaign.adapt]
listener = "valoria_polls"
metric = "favourability"
rules = ["shift"]
window = 4

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
