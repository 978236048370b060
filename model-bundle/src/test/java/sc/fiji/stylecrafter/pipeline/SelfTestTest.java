package sc.fiji.stylecrafter.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import ai.djl.Device;

import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.nn.Route;
import sc.fiji.stylecrafter.nn.RouteChecks;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.model.ModelLoader;

/**
 * The self-test: the traced generation lists the routes a real one asks for, a model of zero weights lists the same
 * as the model's own weights, and a route made wrong on purpose is named rejected at every shape it was checked at.
 */
class SelfTestTest {

	@AfterEach
	void forget() {
		RouteChecks.forget();
	}

	private static List<String> keys(List<RouteChecks.Demand> demands) {
		return demands.stream().map(d -> d.route().id() + " " + d.shape()).toList();
	}

	@Test
	void zeroWeightsListTheSameRoutesAsTheModelsOwnAndAGenerationAsksForNoOthers() throws IOException {
		Path golden = Fixtures.goldenFolder();
		List<String> loaded, zeros;
		try (StyleCrafterModel m = ModelLoader.load(golden, Device.cpu(), Precision.FLOAT32)) {
			loaded = keys(SelfTest.trace(m));
			// a real generation at the traced sizes asks for routes at those shapes only
			RouteChecks.forget();
			GenerationSettings s = GenerationSettings.builder(sc.fiji.stylecrafter.unet.Mode.IMAGE).steps(1).build();
			GenerationResult r = new StyleCrafterPipeline(m).generate(new StyleCrafterPipeline.Request("a fox", List.of(sc.fiji.stylecrafter.image.RgbImage.read(
				golden.resolve("style_0.png"))), s));
			for (RouteChecks.Verdict v : RouteChecks.verdicts()) {
				assertTrue(loaded.contains(v.route().id() + " " + v.shape()), "a generation asked for " + v.route().id() + " at " + v.shape() + ", not traced");
			}
			assertFalse(r.record().routes().isEmpty(), "the record names no route");
		}
		try (StyleCrafterModel m = ModelLoader.zeros(ModelConfig.read(golden.resolve(ModelConfig.FILE_NAME)), Device.cpu(), Precision.FLOAT32)) {
			zeros = keys(SelfTest.trace(m));
		}
		System.out.println(loaded.size() + " routes and shapes traced: " + loaded);
		assertTrue(loaded.stream().anyMatch(k -> k.startsWith(Route.FUSED_ATTENTION.id())), "no attention traced");
		assertEquals(loaded, zeros, "zero weights and the model's own traced different routes");
	}

	@Test
	void aRouteMadeWrongOnPurposeIsNamedRejectedAtEveryShapeItWasCheckedAt() throws Exception {
		try (AutoCloseable broken = RouteChecks.breakOnPurpose(Route.FUSED_ATTENTION)) {
			SelfTest.Report r = SelfTest.run(Fixtures.goldenFolder(), Device.cpu(), List.of(Precision.FLOAT32), line -> {});
			r.lines().forEach(System.out::println);
			List<RouteChecks.Verdict> attention = r.verdicts().get(Precision.FLOAT32).stream().filter(v -> v.route() == Route.FUSED_ATTENTION).toList();
			assertFalse(attention.isEmpty());
			assertTrue(attention.stream().noneMatch(RouteChecks.Verdict::accepted), "a broken route was accepted");
			assertTrue(r.ok(), "every check compared");
			String row = r.lines().stream().filter(l -> l.startsWith("fused-attention ")).findFirst().orElseThrow();
			assertTrue(row.matches("fused-attention\\s+float32\\s+" + attention.size() + "\\s+0\\s+0\\s+" + attention.size() + "\\s.*"), row); // shapes, used, slower, wrong
			for (RouteChecks.Verdict v : attention) assertTrue(r.lines().contains("  fused-attention at " + v.shape() + String.format(java.util.Locale.ROOT,
				": relative error %.3g (allowed 1e-05)", v.error())), "not listed: " + v.shape());
		}
	}
}
