package dev.aerobust.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.SettingMap;
import dev.aerobust.config.Settings;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.eval.Sanity;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.Provenance;
import dev.aerobust.store.ResultsStore;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.TrainParams;

/**
 * How long a sweep's units will take on this machine: rates measured here, from the store (seconds an epoch) and
 * the records (image-iterations a second, the work of each record as its attack counts it, {@link Attack#cost});
 * built-in defaults where none exist yet, scaled by how much faster this machine ran the kinds it has run.
 */
public final class Estimator {
    /**
     * Seconds an epoch on MNIST at 2 threads, measured here, for families nothing has been trained of; a
     * variational family's grows with its ELBO samples ({@link #PER_SAMPLE} more for each). The contractive
     * ones after the penalty's products went to both cores: a CAE epoch (alpha 0.1) 122.9 s, a CVAE epoch (10
     * samples) 189.6 s, 2026-12-03.
     */
    private static final Map<String, Double> EPOCH_DEFAULTS = Map.of("classifier", 18.0, "ae", 12.0, "dae",
            12.0, "vae", 6.0, "dvae", 6.0, "cae", 123.0, "cvae", 140.0);
    private static final double PER_SAMPLE = 5.0;
    /** Image-iterations per second of an attack on a stack, and undefended, for attacks never run here. */
    private static final double STACK_RATE = 2500;
    private static final double UNDEFENDED_RATE = 6000;
    /**
     * How many times the nominal work per second an attack that nests its eps values (and lets fooled rows leave
     * its batch) gets through, for such attacks never run here: its work counts every row at every eps, but it
     * attacks only the rows the smaller eps left correct, each until it is fooled (and an ensemble's later members
     * only the rows its earlier ones left). Measured on the paper profile's DVAE stp 0.4, the most robust stack, at
     * one thread, against CW-Linf's rate there: APGD-CE 2.2x, AutoAttack fast 4.0x (docs/performance.md); a
     * stack that falls sooner gains more.
     */
    static final double NESTED_SPEEDUP = 3.0;

    /** The engine threads the built-in defaults were measured at. */
    private static final int DEFAULTS_THREADS = 2;
    /**
     * How a unit's time grows with fewer threads: {@code (t / t')^THREAD_EXPONENT} from {@code t} threads to
     * {@code t'}. Measured here at one thread (two units side by side) against two (one unit alone): 1.8x the
     * time for CW-Linf, 1.5x for a contractive epoch (docs/performance.md, change 23); 2^0.8 = 1.74.
     */
    static final double THREAD_EXPONENT = 0.8;
    /** The measurements a rate is the median of: the newest, so that a faster build is seen soon. */
    static final int RECENT = 5;

    /** One measurement: when, at how many engine threads, and its value (seconds an epoch, or a rate). */
    record Sample(String created, int threads, double value) {
    }

    private final Map<String, List<Sample>> epoch = new HashMap<>();
    private final Map<String, List<Sample>> rate = new HashMap<>();
    private final Map<String, Double> epochDefaults;
    private final double perSample;
    private final double stackRate;
    private final double undefendedRate;
    private final int threads;
    private final int defaultsThreads;

    /**
     * Rates given directly, at the threads the estimate is for: seconds an MNIST epoch by family (one ELBO
     * sample; each more adds {@code perSample}), and attack image-iterations per second on a stack and
     * undefended (the bench's estimate of a sweep's mix).
     */
    Estimator(Map<String, Double> epochSeconds, double perSample, double stackRate, double undefendedRate) {
        // one thread stands for "the estimate's": learned measurements are carried from theirs to it
        this(epochSeconds, perSample, stackRate, undefendedRate, 1, 1);
    }

    private Estimator(Map<String, Double> epochSeconds, double perSample, double stackRate, double undefendedRate,
                  int threads, int defaultsThreads) {
        this.epochDefaults = Map.copyOf(epochSeconds);
        this.perSample = perSample;
        this.stackRate = stackRate;
        this.undefendedRate = undefendedRate;
        this.threads = threads;
        this.defaultsThreads = defaultsThreads;
    }

    /**
     * The estimated seconds of every unit of {@code sweep}, none done, at these rates, summed; MNIST-sized
     * epochs.
     */
    public double sweepSeconds(Sweep sweep) {
        double t = 0;
        for (Sweep.TrainUnit u : sweep.classifiers()) {
            t += trainSeconds(u);
        }
        for (Sweep.TrainUnit u : sweep.autoencoders()) {
            t += trainSeconds(u);
        }
        Set<String> surrogates = new java.util.HashSet<>();
        for (Sweep.AttackUnit u : sweep.attacks()) {
            t += attackSeconds(u, shared(u, surrogates));
        }
        return t;
    }

    /**
     * Rates from the benchmark's training steps (images/s at batch 128) and attack iterations on the stack:
     * an MNIST epoch is 55,000 training images; AE and DAE steps are taken at the one-sample VAE's rate (an
     * upper bound on their time), the contractive families at the CVAE's rate less its extra ELBO samples;
     * an undefended attack runs faster than one on the stack in the ratio of their FLOPs.
     */
    public static Estimator fromBench(double classifierImgS, double vae1ImgS, double vae10ImgS,
            double contractiveImgS, double stackImgIterS, double undefendedOverStack) {
        double images = 55_000;
        double vae1 = images / vae1ImgS;
        double perSample = Math.max(0, (images / vae10ImgS - vae1) / 9);
        double contractive = Math.max(vae1, images / contractiveImgS - 9 * perSample);
        Map<String, Double> epochs = Map.of("classifier", images / classifierImgS, "ae", vae1, "dae", vae1,
                "vae", vae1 - perSample, "dvae", vae1 - perSample, "cae", contractive, "cvae",
                contractive - perSample);
        return new Estimator(epochs, perSample, stackImgIterS, stackImgIterS * undefendedOverStack);
    }

    /**
     * Rates for units run at {@code threads} engine threads each, from the store's training times and the
     * attack records' wall times: per kind, the median of the newest {@link #RECENT} measurements (those made at
     * {@code threads} if there are any), each carried to {@code threads} by {@link #THREAD_EXPONENT}.
     */
    Estimator(ModelStore store, ResultsStore results, int threads) {
        this(EPOCH_DEFAULTS, PER_SAMPLE, STACK_RATE, UNDEFENDED_RATE, threads, DEFAULTS_THREADS);
        for (ModelMeta m : store.list()) {
            ModelMeta.Training t = m.training();
            if (t != null && t.epochs() > 0 && t.seconds() > 0) {
                SettingMap cfg = m.config() == null ? SettingMap.EMPTY : m.config();
                String key = (m.family() != null ? m.family().label() : "classifier") + "/"
                        + m.dataset().cliName() + "/" + (cfg.get(AutoencoderConfig.SAMPLES.name()) instanceof Number
                        n ? n.intValue() : 0) + "/" + (cfg.has(AutoencoderConfig.JACOBIAN_PRECISION.name())
                        ? cfg.get(AutoencoderConfig.JACOBIAN_PRECISION.name()) : "fp32");
                Provenance p = m.provenance();
                epochSeconds(key, new Sample(p == null ? "" : p.created(), p == null ? DEFAULTS_THREADS
                        : p.threads(), t.seconds() / t.epochs()));
            }
        }
        for (List<AttackRecord> run : results.everyRun()) {
            // the records one attack call wrote share its wall time, which covered all their eps but 0
            // (rows of eps 0 are not attacked)
            List<AttackRecord> recs = new ArrayList<>(run);
            recs.removeIf(r -> !(r.eps() > 0));
            for (List<AttackRecord> call : AttackRecord.byCall(recs)) {
                AttackRecord r = call.get(0);
                // rows taken from kept chunks (a resumed run, another latent scale) cost no attack time
                int reused = r.reusedRows() == null ? 0 : r.reusedRows();
                double work = ((double) r.n() * call.size() - reused)
                        * iterationsPerImage(r.attack().label(), r.attackConfig());
                if (r.attackSeconds() > 0 && work > 0) {
                    Provenance p = r.provenance();
                    attackRate(kind(r.attack().label(), r.attackConfig()) + "/"
                            + (r.defense() != DefendedClassifier.Mode.NONE), new Sample(p == null ? ""
                            : p.created(), p == null ? DEFAULTS_THREADS : p.threads(), work / r.attackSeconds()));
                }
            }
        }
    }

    /** Learns the seconds an epoch of the kind {@code key} took ({@code family/dataset/samples/jacobian}). */
    void epochSeconds(String key, Sample s) {
        epoch.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }

    /** Learns an attack's image-iterations per second ({@code attack/defended}). */
    void attackRate(String key, Sample s) {
        rate.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }

    /**
     * The measured value of {@code key} carried to this estimate's threads, or {@code dflt} (measured at
     * {@code defaultsThreads}) carried likewise; {@code faster}: whether more threads raise the value (a rate)
     * rather than lower it (seconds).
     */
    private double value(Map<String, List<Sample>> m, String key, double dflt, boolean faster) {
        Optional<Double> measured = measured(m, key, faster);
        if (measured.isPresent()) {
            return measured.get();
        }
        // a kind not yet run here: the built-in value, as much faster as this machine ran the kinds it has run
        double f = machineFactor();
        return dflt * scale(defaultsThreads, faster) * (faster ? f : 1 / f);
    }

    /**
     * The median of the newest measurements of {@code key} (those at this estimate's threads if any), carried
     * to this estimate's threads; empty if the kind was never measured.
     */
    private Optional<Double> measured(Map<String, List<Sample>> m, String key, boolean faster) {
        List<Sample> all = m.getOrDefault(key, List.of());
        List<Sample> same = all.stream().filter(s -> s.threads() == threads).toList();
        List<Sample> recent = (same.isEmpty() ? all : same).stream()
                .sorted(java.util.Comparator.comparing(Sample::created).reversed()).limit(RECENT).toList();
        if (recent.isEmpty()) {
            return Optional.empty();
        }
        // the median: one unit slowed by other work on the machine (or stopped a while) does not move it
        return Optional.of(median(recent.stream().mapToDouble(s -> s.value() * scale(s.threads(), faster))
                .toArray()));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * How much faster than the built-in values this machine ran the kinds it has measurements of (the median
     * over those kinds of measured speed over built-in speed; 1 where none): a machine twice as fast trains
     * and attacks about twice as fast across kinds, so the kinds not yet run here are estimated at that speed
     * rather than at another machine's.
     */
    double machineFactor() {
        List<Double> ratios = new ArrayList<>();
        for (String key : epoch.keySet()) {
            String[] k = key.split("/");
            // the built-in epochs are MNIST-sized, fp32 penalties
            if (k.length == 4 && epochDefaults.containsKey(k[0]) && ("mnist".equals(k[1])
                    || "fashion-mnist".equals(k[1])) && "fp32".equals(k[3])) {
                double dflt = (epochDefaults.get(k[0]) + perSample * Integer.parseInt(k[2]))
                        * scale(defaultsThreads, false);
                measured(epoch, key, false).ifPresent(v -> ratios.add(dflt / v));
            }
        }
        for (String key : rate.keySet()) {
            double dflt = defaultRate(key) * scale(defaultsThreads, true);
            measured(rate, key, true).ifPresent(v -> ratios.add(v / dflt));
        }
        return ratios.isEmpty() ? 1 : median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The factor that carries a value measured at {@code from} threads to this estimate's. */
    private double scale(int from, boolean faster) {
        double f = Math.pow((double) threads / Math.max(1, from), THREAD_EXPONENT);
        return faster ? f : 1 / f;
    }

    double trainSeconds(Sweep.TrainUnit u) {
        Settings s = u.settings();
        String family = u.autoencoder() ? s.get(AutoencoderConfig.FAMILY).label() : "classifier";
        int samples = u.autoencoder() && s.applies(AutoencoderConfig.SAMPLES) ? s.get(AutoencoderConfig.SAMPLES) : 0;
        double dflt = epochDefaults.get(family) + perSample * samples;
        String jacobian = u.autoencoder() && s.applies(AutoencoderConfig.JACOBIAN_PRECISION)
                ? AutoencoderConfig.JACOBIAN_PRECISION.display(s.get(AutoencoderConfig.JACOBIAN_PRECISION)) : "fp32";
        double perEpoch = value(epoch, family + "/" + u.dataset().cliName() + "/" + samples + "/" + jacobian, dflt,
                false);
        return perEpoch * s.get(TrainParams.EPOCHS);
    }

    /**
     * Whether {@code u}'s rows come from an earlier unit's attack on the same surrogate ({@code planned}: the
     * surrogates of the units before it, to which {@code u}'s is added).
     */
    static boolean shared(Sweep.AttackUnit u, Set<String> planned) {
        return u.surrogate().map(k -> !planned.add(k)).orElse(false);
    }

    /**
     * The estimated seconds of an attack unit; {@code shared}: its rows come from an earlier unit's attack on
     * the same surrogate, so only the sanity runs are left (the evaluation of the rows is a few forward passes).
     */
    double attackSeconds(Sweep.AttackUnit u, boolean shared) {
        AttackCost c = costs.computeIfAbsent(u.attack(), s -> {
            Attack a = AttackConfig.create(s, false);
            return new AttackCost(kind(a.name(), a.key()), iterationsPerImage(a.name(), a.key()),
                    a.doubled() != null ? 4 : 1);
        });
        int n = u.eval().get(EvalConfig.N);
        long eps = java.util.Arrays.stream(u.eval().get(EvalConfig.EPS)).filter(e -> e > 0).count();
        String key = c.name() + "/" + u.model().autoencoder();
        double r = value(rate, key, defaultRate(key), true);
        // the sanity runs: the unbounded attack and the step-doubling check, on their own images
        double sanity = Math.min(n, Sanity.RUN_IMAGES) * c.perImage() * c.sanityRuns();
        return ((shared ? 0 : n * eps * c.perImage()) + sanity) / r;
    }

    /** What an attack's settings cost per image, and its sanity runs' factor: worked out once per setting. */
    private record AttackCost(String name, double perImage, int sanityRuns) {
    }

    /**
     * The built-in rate of an attack kind never run here ({@code attack[+nested]/defended}, as {@link #kind}
     * and the learned rates name it), at the defaults' threads.
     */
    private double defaultRate(String key) {
        return (key.endsWith("/true") ? stackRate : undefendedRate) * (key.contains("+nested/") ? NESTED_SPEEDUP : 1);
    }

    /** Whether an attack's settings (as its records keep them) nest the eps values. */
    private static boolean nests(SettingMap cfg) {
        return Boolean.TRUE.equals(cfg.get(AttackConfig.NEST_EPS.name()));
    }

    /**
     * The kind a rate is learned for: the attack, and whether it nests its eps values (a nested run gets through
     * its nominal work faster, so the two are measured apart).
     */
    static String kind(String attack, SettingMap cfg) {
        return attack + (nests(cfg) ? "+nested" : "");
    }

    private final Map<Settings, AttackCost> costs = new HashMap<>();

    /**
     * Gradient steps the attack of a record spends on one image at one eps at most, as the attack itself says
     * ({@link Attack#cost}) from the settings its record holds; 0 for a record whose settings no longer read.
     */
    static double iterationsPerImage(String attack, SettingMap cfg) {
        try {
            return AttackConfig.create(AttackConfig.fromRecord(attack, cfg), false).cost();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}

