package sc.fiji.stylecrafter.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import ai.djl.Device;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.task.Stage;
import sc.fiji.stylecrafter.testing.GoldenRuns;

/**
 * A resumed batch skips an entry only when everything that decides its output is the same (settings, format, model
 * folder, style files by content); the plan is made before any model; the index costs time linear in the list.
 */
class BatchResumeTest {

	@TempDir
	Path tmp;

	static StyleCrafterModel model;
	static GenerationSettings quick;

	@BeforeAll
	static void load() throws IOException {
		model = ModelLoader.load(Fixtures.goldenFolder(), Device.cpu(), Precision.FLOAT32);
		quick = GoldenRuns.imageSingle().settings().toBuilder().steps(2).build();
	}

	@AfterAll
	static void close() {
		if (model != null) model.close();
	}

	static final BatchRunner.Listener QUIET = new BatchRunner.Listener() {

		@Override
		public void entry(int k, int n, BatchList.Entry entry, String state) {}

		@Override
		public void progress(int done, int total, Stage stage) {}
	};

	/** A one-entry list whose style is a copy in {@code tmp} (so its content can change). */
	private List<BatchList.Entry> list() throws IOException {
		Path style = tmp.resolve("style.png");
		if (!Files.exists(style)) Files.copy(Fixtures.goldenFolder().resolve("style_0.png"), style);
		Path list = Files.writeString(tmp.resolve("list.json"), "[{\"prompt\": \"" + GoldenRuns.imageSingle().prompt() + "\", \"style_path\": \"style.png\"}]");
		return BatchList.read(list);
	}

	@Test
	void otherSettingsOrAnotherStyleContentRegenerateAndSaySo() throws Exception {
		List<BatchList.Entry> entries = list();
		Path out = tmp.resolve("out");
		BatchRunner.Options o = new BatchRunner.Options(quick, false, "tif", 8, 3);
		assertEquals(1, BatchRunner.run(model, entries, out, o, QUIET, () -> false).done());
		Path tif = out.resolve(BatchRunner.name(entries.get(0)) + ".tif");
		byte[] first = Files.readAllBytes(tif);

		// the same inputs: planned as written, before any model
		BatchRunner.Plan same = BatchRunner.plan(entries, out, o, model.folder());
		assertEquals(0, same.toRun(), same.summary());
		BatchRunner.Outcome none = BatchRunner.run(null, same, QUIET, () -> false);
		assertEquals(1, none.skipped());

		// another style weight: generated again, the index says what differed
		BatchRunner.Options weaker = new BatchRunner.Options(quick.toBuilder().styleWeight(0.5f).build(), false, "tif", 8, 3);
		BatchRunner.Plan plan = BatchRunner.plan(entries, out, weaker, model.folder());
		assertEquals(1, plan.toRun());
		assertTrue(plan.entries().get(0).reason().contains("style_weight 1.0 -> 0.5"), plan.entries().get(0).reason());
		assertEquals(1, BatchRunner.run(model, plan, QUIET, () -> false).done());
		String index = Files.readString(out.resolve(BatchRunner.INDEX), StandardCharsets.UTF_8);
		assertTrue(index.contains("style_weight 1.0 -\\u003e 0.5") || index.contains("style_weight 1.0 -> 0.5"), index);
		assertNotEquals(java.util.Arrays.hashCode(first), java.util.Arrays.hashCode(Files.readAllBytes(tif)));
		assertTrue(Files.readString(sc.fiji.stylecrafter.output.FrameWriter.sidecarOf(tif)).contains("\"style_weight\": 0.5"), "the sidecar agrees with the output");

		// the same path, other content: generated again
		Files.copy(Fixtures.goldenFolder().resolve("style_1.png"), tmp.resolve("style.png"), StandardCopyOption.REPLACE_EXISTING);
		BatchRunner.Plan changed = BatchRunner.plan(entries, out, weaker, model.folder());
		assertEquals(1, changed.toRun());
		assertTrue(changed.entries().get(0).reason().contains("styles (another file or content)"), changed.entries().get(0).reason());

		// another model folder: generated again
		BatchRunner.Plan otherModels = BatchRunner.plan(entries, out, weaker, tmp.resolve("other-models"));
		assertTrue(otherModels.entries().get(0).reason().contains("model_folder"), otherModels.entries().get(0).reason());
	}

	@Test
	void aLongListIsPlannedAndIndexedInLinearTime() throws Exception {
		int n = 20_000;
		StringBuilder json = new StringBuilder("[");
		for (int i = 0; i < n; i++) json.append(i == 0 ? "" : ",\n").append("{\"prompt\": \"entry ").append(i).append("\"}"); // no style: each fails
		Path list = Files.writeString(tmp.resolve("long.json"), json.append("]").toString());
		List<BatchList.Entry> entries = BatchList.read(list);
		long t0 = System.nanoTime();
		BatchRunner.Plan plan = BatchRunner.plan(entries, tmp.resolve("long"), new BatchRunner.Options(quick, false, "tif", 8, 3), model.folder());
		List<String> states = new ArrayList<>();
		BatchRunner.Outcome o = BatchRunner.run(null, plan, new BatchRunner.Listener() {

			@Override
			public void entry(int k, int total, BatchList.Entry entry, String state) {
				states.add(state);
			}

			@Override
			public void progress(int done, int total, Stage stage) {}
		}, () -> false);
		double seconds = (System.nanoTime() - t0) / 1e9;
		assertEquals(n, o.failed());
		assertEquals(n, states.size());
		assertTrue(states.get(0).contains("has no style_path"), states.get(0));
		// the old runner rewrote the whole index after every entry: 10,000 entries took 382 s; linear work is well under this
		assertTrue(seconds < 30, "planning and indexing " + n + " entries took " + seconds + " s");
		String index = Files.readString(o.index(), StandardCharsets.UTF_8);
		assertTrue(index.contains("\"entries\": " + n) && index.contains("entry 19999"), "the index is complete");
	}
}
