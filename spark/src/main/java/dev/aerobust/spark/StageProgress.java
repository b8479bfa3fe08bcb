package dev.aerobust.spark;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * The driver's progress lines: each unit as its task starts, ends, or fails and is retried, and each executor
 * lost. A Spark stage is mapped to the plan's stage by a local property its job carries.
 */
final class StageProgress extends SparkListener {

    /** The local property that names the plan's stage of a job. */
    static final String STAGE = "aerobust.stage";

    private final Plan plan;
    private final PrintStream out;
    private final Map<Integer, Integer> stageOf = new ConcurrentHashMap<>();
    /** Task attempts that failed (a lost executor's included): Spark ran them again. */
    private volatile int failed;

    StageProgress(Plan plan, PrintStream out) {
        this.plan = plan;
        this.out = out;
    }

    int failedAttempts() {
        return failed;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
        String k = e.properties() == null ? null : e.properties().getProperty(STAGE);
        if (k != null) {
            stageOf.put(e.stageInfo().stageId(), Integer.parseInt(k));
        }
    }

    private Plan.Unit unit(int stageId, int index) {
        Integer k = stageOf.get(stageId);
        if (k == null) {
            return null;
        }
        List<Plan.Unit> st = plan.stages().get(k);
        return index < st.size() ? st.get(index) : null;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        Plan.Unit u = unit(e.stageId(), e.taskInfo().index());
        if (u != null) {
            say(String.format(Locale.ROOT, "[sweep %s] unit %d/%d started on executor %s (%s)%s: %s", plan.sweep(),
                    u.number(), plan.planUnits(), e.taskInfo().executorId(), e.taskInfo().host(),
                    e.taskInfo().attemptNumber() > 0 ? ", attempt " + (e.taskInfo().attemptNumber() + 1) : "",
                    u.label()));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        Plan.Unit u = unit(e.stageId(), e.taskInfo().index());
        if (u == null) {
            return;
        }
        if (e.taskInfo().successful()) {
            say(String.format(Locale.ROOT, "[sweep %s] unit %d/%d done in %.1f s on executor %s", plan.sweep(),
                    u.number(), plan.planUnits(), e.taskInfo().duration() / 1000.0, e.taskInfo().executorId()));
        } else {
            failed++;
            String why = e.reason() instanceof TaskFailedReason r ? r.toErrorString() : String.valueOf(e.reason());
            say(String.format(Locale.ROOT, "[sweep %s] unit %d/%d failed on executor %s: %s", plan.sweep(),
                    u.number(), plan.planUnits(), e.taskInfo().executorId(), why.lines().findFirst().orElse("")));
        }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
        say("[sweep " + plan.sweep() + "] executor " + e.executorId() + " lost: " + e.reason());
    }

    private synchronized void say(String line) {
        out.println(line);
        out.flush();
    }
}
