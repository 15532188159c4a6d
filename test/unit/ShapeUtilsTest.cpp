//===- ShapeUtilsTest.cpp - unit tests for dl shape helpers ---------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace dlc::dl;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

TEST(Broadcast, NumpyRules) {
  auto r = broadcastShapes({2, 1, 3}, {4, 3});
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(*r, (SmallVector<int64_t>{2, 4, 3}));
  EXPECT_TRUE(failed(broadcastShapes({2, 3}, {4})));
  EXPECT_EQ(*broadcastShapes({}, {5}), (SmallVector<int64_t>{5}));
}

TEST(Broadcast, DynamicDims) {
  // ? against 1 stays ?, ? against n > 1 becomes n.
  EXPECT_EQ(*broadcastShapes({kDyn, 3}, {1, 3}),
            (SmallVector<int64_t>{kDyn, 3}));
  EXPECT_EQ(*broadcastShapes({kDyn, 3}, {4, 3}), (SmallVector<int64_t>{4, 3}));
  EXPECT_EQ(*broadcastShapes({kDyn}, {kDyn}), (SmallVector<int64_t>{kDyn}));
  // ? against 0 is 0 (upstream's getBroadcastedShape alone leaves ?), on
  // either side and after rank extension.
  EXPECT_EQ(*broadcastShapes({kDyn, 3}, {0, 1}), (SmallVector<int64_t>{0, 3}));
  EXPECT_EQ(*broadcastShapes({2, 0}, {kDyn}), (SmallVector<int64_t>{2, 0}));
}

TEST(Window, OutputSize) {
  // 224 input, 7x7 kernel, stride 2, pad 3: ResNet's stem gives 112.
  EXPECT_EQ(windowOutputSize(224, 7, 2, 3, 3, 1, false), 112);
  // 3x3 max pool, stride 2, pad 1 on 112 gives 56.
  EXPECT_EQ(windowOutputSize(112, 3, 2, 1, 1, 1, false), 56);
  // Dilation 2 widens a 3-tap kernel to 5.
  EXPECT_EQ(windowOutputSize(10, 3, 1, 0, 0, 2, false), 6);
  // Ceil mode rounds up, but the last window must start in the input.
  EXPECT_EQ(windowOutputSize(6, 2, 2, 0, 0, 1, true), 3);
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 0, 1, true), 3);
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 0, 1, false), 2);
  EXPECT_EQ(windowOutputSize(kDyn, 3, 1, 0, 0, 1, false), kDyn);
}

TEST(Axes, Normalize) {
  EXPECT_EQ(*normalizeAxis(std::nullopt, -1, 4), 3);
  EXPECT_TRUE(failed(normalizeAxis(std::nullopt, 4, 4)));
  EXPECT_TRUE(failed(normalizeAxes(std::nullopt, {1, -3}, 4)));
  EXPECT_EQ(*normalizeAxes(std::nullopt, {0, -1}, 3),
            (SmallVector<int64_t>{0, 2}));
}

TEST(Types, Refinable) {
  MLIRContext ctx;
  Builder b(&ctx);
  auto f32 = b.getF32Type();
  auto a = RankedTensorType::get({kDyn, 3}, f32);
  auto s = RankedTensorType::get({2, 3}, f32);
  auto t = RankedTensorType::get({2, 4}, f32);
  EXPECT_TRUE(areRefinableTypes(TypeRange{a}, TypeRange{s}));
  EXPECT_FALSE(areRefinableTypes(TypeRange{s}, TypeRange{t}));
  EXPECT_FALSE(areRefinableTypes(
      TypeRange{s}, TypeRange{RankedTensorType::get({2, 3}, b.getF16Type())}));
}

TEST(Helpers, Mod) {
  EXPECT_DOUBLE_EQ(floorMod(-7, 3), 2);
  EXPECT_DOUBLE_EQ(floorMod(7, -3), -2);
  APInt a(32, -7, true), b(32, 3, true);
  EXPECT_EQ(intMod(a, b, false)->getSExtValue(), 2);
  EXPECT_EQ(intMod(a, b, true)->getSExtValue(), -1);
  EXPECT_FALSE(intMod(a, APInt(32, 0), false).has_value());
  EXPECT_EQ(shapeToString({2, kDyn, 3}), "2x?x3");
}

TEST(Dialect, BuildAndFold) {
  MLIRContext ctx;
  ctx.loadDialect<DLDialect>();
  OpBuilder b(&ctx);
  Location loc = b.getUnknownLoc();
  auto type = RankedTensorType::get({2}, b.getF32Type());
  auto c = ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<float>{1.0f, -2.0f}));
  // The inferring builder computes the result type from the operands.
  auto neg = NegOp::create(b, loc, c.getResult());
  EXPECT_EQ(neg.getType(), type);
  SmallVector<OpFoldResult> folded;
  ASSERT_TRUE(succeeded(neg->fold(folded)));
  auto attr = dyn_cast<DenseElementsAttr>(cast<Attribute>(folded[0]));
  ASSERT_TRUE(attr);
  EXPECT_EQ(attr.getValues<float>()[0], -1.0f);
  EXPECT_EQ(attr.getValues<float>()[1], 2.0f);
  c->destroy();
  neg->destroy();
}

} // namespace
