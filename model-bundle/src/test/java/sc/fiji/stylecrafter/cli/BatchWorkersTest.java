package sc.fiji.stylecrafter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.batch.BatchList;
import sc.fiji.stylecrafter.batch.BatchRunner;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.testing.GoldenRuns;

/**
 * Several worker processes (separate JVMs) on one output folder make each entry exactly once: two SLURM array shards
 * and a third worker without a shard, and a worker killed with SIGKILL mid-entry whose entry the next worker takes
 * over. The index ends complete.
 */
class BatchWorkersTest {

	@TempDir
	Path tmp;

	private Path list(int n) throws IOException {
		Path style = Fixtures.goldenFolder().toAbsolutePath().resolve("style_0.png");
		StringBuilder json = new StringBuilder("[");
		for (int i = 0; i < n; i++) json.append(i == 0 ? "" : ",\n").append("{\"prompt\": \"entry ").append(i).append(" a fox\", \"style_path\": \"").append(style)
			.append("\"}");
		return Files.writeString(tmp.resolve("list.json"), json.append("]").toString());
	}

	/** A worker: the command line's batch in a JVM of its own. */
	private Process worker(Path list, Path out, int steps, Map<String, String> env, Path log, String... more) throws IOException {
		GoldenRuns.Run run = GoldenRuns.imageSingle();
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true", "-cp",
			System.getProperty("java.class.path"), Main.class.getName(), "batch", "--models", Fixtures.goldenFolder().toString(), "--list", list.toString(),
			"--out", out.toString(), "--format", "png", "--mode", "image", "--width", "" + run.settings().width(), "--height", "" + run.settings().height(),
			"--steps", "" + steps, "--device", "cpu"));
		cmd.addAll(List.of(more));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
		pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_"));
		pb.environment().putAll(env);
		return pb.start();
	}

	/** Index rows by entry, and the workers named in the sidecars. */
	private static Map<Integer, String> states(Path out) throws IOException {
		Map<Integer, String> m = new HashMap<>();
		JsonObject o = JsonParser.parseString(Files.readString(out.resolve(BatchRunner.INDEX), StandardCharsets.UTF_8)).getAsJsonObject();
		for (JsonElement r : o.getAsJsonArray("results")) m.put(r.getAsJsonObject().get("index").getAsInt(), r.getAsJsonObject().get("state").getAsString());
		return m;
	}

	private static int written(Path log) throws IOException {
		String text = Files.readString(log);
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("batch done: (\\d+) written").matcher(text);
		assertTrue(m.find(), text);
		return Integer.parseInt(m.group(1));
	}

	@Test
	void threeWorkersMakeEachEntryOnceAndTheIndexIsComplete() throws Exception {
		int n = 6;
		Path list = list(n), out = tmp.resolve("out");
		List<Path> logs = List.of(tmp.resolve("w0.log"), tmp.resolve("w1.log"), tmp.resolve("w2.log"));
		List<Process> workers = List.of(
			worker(list, out, 2, Map.of("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_MIN", "4", "SLURM_ARRAY_TASK_COUNT", "2"), logs.get(0)),
			worker(list, out, 2, Map.of("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "4", "SLURM_ARRAY_TASK_COUNT", "2"), logs.get(1)),
			worker(list, out, 2, Map.of(), logs.get(2)));
		for (Process p : workers) {
			assertTrue(p.waitFor(180, TimeUnit.SECONDS));
		}
		for (int i = 0; i < 3; i++) assertEquals(0, workers.get(i).exitValue(), Files.readString(logs.get(i)));
		assertTrue(Files.readString(logs.get(0)).contains("shard 0/2"), Files.readString(logs.get(0)));
		int generated = 0;
		for (Path log : logs) generated += written(log);
		assertEquals(n, generated, "each entry generated exactly once");
		// every entry has its output; its sidecar names the worker that made it
		for (BatchList.Entry e : BatchList.read(list)) {
			Path sidecar = out.resolve(BatchRunner.name(e)).resolve("settings.json");
			assertTrue(Files.readString(sidecar).contains("\"worker\""), sidecar.toString());
		}
		// the shards made only their own entries, unless the third worker was faster
		Map<Integer, String> states = states(out);
		assertEquals(n, states.size());
		for (String s : states.values()) assertTrue(s.startsWith("done") || s.startsWith("skipped"), "the last writer's index is complete: " + states);
		try (Stream<Path> claims = Files.list(out.resolve(".claims"))) {
			assertEquals(0, claims.count(), "no claim is left behind");
		}
	}

	@Test
	void aWorkerKilledMidEntryLeavesItToTheNext() throws Exception {
		Path list = list(2), out = tmp.resolve("out");
		Path log = tmp.resolve("killed.log");
		Process doomed = worker(list, out, 50, Map.of(), log);
		Path claims = out.resolve(".claims");
		long end = System.currentTimeMillis() + 120_000;
		while (System.currentTimeMillis() < end && !(Files.isDirectory(claims) && Files.list(claims).findAny().isPresent())) Thread.sleep(50);
		assertTrue(Files.list(claims).findAny().isPresent(), "the first worker claimed an entry: " + Files.readString(log));
		doomed.destroyForcibly(); // SIGKILL
		assertTrue(doomed.waitFor(30, TimeUnit.SECONDS));
		Path status = tmp.resolve("status.log");
		Process st = worker(list, out, 50, Map.of(), status, "--status");
		assertTrue(st.waitFor(60, TimeUnit.SECONDS));
		assertTrue(Files.readString(status).contains("2 entries: 0 done, 0 claimed, 0 failed, 2 left"), "a dead worker's claim does not count: "
			+ Files.readString(status));
		Path next = tmp.resolve("next.log");
		Process heir = worker(list, out, 2, Map.of(), next);
		assertTrue(heir.waitFor(120, TimeUnit.SECONDS));
		assertEquals(0, heir.exitValue(), Files.readString(next));
		assertEquals(2, written(next), Files.readString(next));
	}
}
