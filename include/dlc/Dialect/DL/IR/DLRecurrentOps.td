//===- DLRecurrentOps.td - dl recurrent layers -------------*- tablegen -*-===//
//
// RNN, GRU and LSTM as ONNX defines them, in the sequence-first layout
// (ONNX `layout = 1` is transposed by the importer). Shapes: input
// [T, B, I], weight [D, G*H, I], recurrence [D, G*H, H], bias [D, 2*G*H],
// sequence_lens [B], initial states [D, B, H]; results y [T, D, B, H] and
// y_h (and y_c) [D, B, H], with D = 2 for bidirectional, else 1, and G the
// gate count (1, 3, 4). The activation lists are complete and resolved: one
// lowercase ONNX activation name per function per direction (f, [g, [h]]),
// with its alpha and beta (0 where the function takes none). Implemented in
// lib/Dialect/DL/IR/Recurrent.cpp; lowered to an scf.for over time whose
// body does one [B, H] x [H, G*H] matmul, the input projections of all steps
// being one matmul before the loop.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_DLRECURRENTOPS_TD
#define DLC_DIALECT_DL_IR_DLRECURRENTOPS_TD

def DL_RNNDirection : I32EnumAttr<"RNNDirection",
    "direction of a recurrent layer", [
    I32EnumAttrCase<"forward", 0>,
    I32EnumAttrCase<"reverse", 1>,
    I32EnumAttrCase<"bidirectional", 2>]> {
  let cppNamespace = "::dlc::dl";
  let genSpecializedAttr = 0;
}
def DL_RNNDirectionAttr
    : EnumAttr<DL_Dialect, DL_RNNDirection, "rnn_direction">;

defvar DL_RecurrentAttrs = (ins I64Attr:$hidden_size,
    DefaultValuedAttr<DL_RNNDirectionAttr,
                      "::dlc::dl::RNNDirection::forward">:$direction,
    StrArrayAttr:$activations, DenseF64ArrayAttr:$activation_alpha,
    DenseF64ArrayAttr:$activation_beta, OptionalAttr<F64Attr>:$clip);

class DL_RecurrentOp<string mnemonic, dag extraOperands, dag extraAttrs,
                     dag outs>
    : DL_Op<mnemonic, [Pure, AttrSizedOperandSegments, InferTypeOpAdaptor]> {
  let arguments = !con((ins DL_FloatTensor:$input, DL_FloatTensor:$weight,
      DL_FloatTensor:$recurrence, Optional<DL_FloatTensor>:$bias,
      Optional<DL_IndexTensor>:$sequence_lens,
      Optional<DL_FloatTensor>:$initial_h), extraOperands, DL_RecurrentAttrs,
      extraAttrs);
  let results = outs;
  let hasVerifier = 1;
  let dlExtraClassDeclaration = [{
    /// Directions (1 or 2) and activation functions per direction.
    int64_t getNumDirections() {
      return getDirection() == ::dlc::dl::RNNDirection::bidirectional ? 2 : 1;
    }
  }];
}

def DL_RNNOp : DL_RecurrentOp<"rnn", (ins), (ins),
    (outs DL_FloatTensor:$y, DL_FloatTensor:$y_h)> {
  let summary = "Elman recurrent layer (ONNX RNN)";
  let description = [{
    `h_t = f(x_t W^T + h_{t-1} R^T + Wb + Rb)`, one activation per direction.
  }];
  let assemblyFormat = "$input `,` $weight `,` $recurrence (`bias` $bias^)? "
      "(`sequence_lens` $sequence_lens^)? (`initial_h` $initial_h^)? "
      "attr-dict `:` functional-type(operands, results)";
}

def DL_GRUOp : DL_RecurrentOp<"gru", (ins),
    (ins DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset),
    (outs DL_FloatTensor:$y, DL_FloatTensor:$y_h)> {
  let summary = "Gated recurrent unit layer (ONNX GRU, gates z, r, h)";
  let description = [{
    Activations f (gates) and g (candidate) per direction;
    `linear_before_reset` applies the reset gate after the recurrent matmul
    (as PyTorch does).
  }];
  let assemblyFormat = "$input `,` $weight `,` $recurrence (`bias` $bias^)? "
      "(`sequence_lens` $sequence_lens^)? (`initial_h` $initial_h^)? "
      "attr-dict `:` functional-type(operands, results)";
}

def DL_LSTMOp : DL_RecurrentOp<"lstm",
    (ins Optional<DL_FloatTensor>:$initial_c,
         Optional<DL_FloatTensor>:$peepholes),
    (ins DefaultValuedAttr<BoolAttr, "false">:$input_forget),
    (outs DL_FloatTensor:$y, DL_FloatTensor:$y_h, DL_FloatTensor:$y_c)> {
  let summary = "Long short-term memory layer (ONNX LSTM, gates i, o, f, c)";
  let description = [{
    Activations f (gates), g (cell input) and h (cell output) per direction;
    `peepholes` [D, 3*H] (i, o, f); `input_forget` couples the forget gate
    to `1 - i`.
  }];
  let assemblyFormat = "$input `,` $weight `,` $recurrence (`bias` $bias^)? "
      "(`sequence_lens` $sequence_lens^)? (`initial_h` $initial_h^)? "
      "(`initial_c` $initial_c^)? (`peepholes` $peepholes^)? "
      "attr-dict `:` functional-type(operands, results)";
}

#endif // DLC_DIALECT_DL_IR_DLRECURRENTOPS_TD
